import bwipjs from 'bwip-js';
import { writeFileSync } from 'node:fs';

/**
 * A stand-in for a phone's camera (this machine has none), labelled as such: Chromium's fake capture
 * device (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file>`) plays a Y4M
 * file as the camera's picture, and reads the file again each time a page opens the camera. This writes
 * one grey frame holding `text` as a QR code, encoded by bwip-js (not by the wallet's decoder), dark
 * modules on a white page with its quiet zone, the way a printed receipt looks held up to the lens.
 */
const frameWidthPx = 1280;
const frameHeightPx = 720;
/** Y (luma) of the paper and of the ink, in the video range Y4M's 4:2:0 uses. */
const paper = 235;
const ink = 16;
/** Chroma of grey: no colour. */
const neutralChroma = 128;

interface QrMatrix {
  readonly pixs: readonly number[];
  readonly pixx: number;
  readonly pixy: number;
}

export function writeQrCameraFile(path: string, text: string): void {
  const [matrix] = bwipjs.raw('qrcode', text, 'eclevel=M') as unknown as QrMatrix[];
  if (matrix === undefined) throw new Error('bwip-js drew no QR code');
  // The code fills about two thirds of the frame's height, each module a whole number of pixels.
  const module = Math.max(1, Math.floor((frameHeightPx * 2) / 3 / matrix.pixy));
  const left = Math.floor((frameWidthPx - matrix.pixx * module) / 2);
  const top = Math.floor((frameHeightPx - matrix.pixy * module) / 2);
  const luma = Buffer.alloc(frameWidthPx * frameHeightPx, paper);
  for (let row = 0; row < matrix.pixy; row += 1) {
    for (let column = 0; column < matrix.pixx; column += 1) {
      if (matrix.pixs[row * matrix.pixx + column] !== 1) continue;
      for (let line = 0; line < module; line += 1) {
        const start = (top + row * module + line) * frameWidthPx + left + column * module;
        luma.fill(ink, start, start + module);
      }
    }
  }
  const chroma = Buffer.alloc((frameWidthPx / 2) * (frameHeightPx / 2) * 2, neutralChroma);
  const header = `YUV4MPEG2 W${frameWidthPx} H${frameHeightPx} F10:1 Ip A1:1 C420jpeg\nFRAME\n`;
  writeFileSync(path, Buffer.concat([Buffer.from(header), luma, chroma]));
}
