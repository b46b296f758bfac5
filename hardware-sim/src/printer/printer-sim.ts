import type { Duplex } from 'node:stream';
import { statusByte } from '@cashin/terminal-app/devices/printer/escpos-status.js';
import {
  coverOpenBit,
  paperEndBits,
  statusRequest,
  stoppedByPaperEndBit,
} from '@cashin/terminal-app/devices/printer/escpos-status.js';
import { EscPosDecoder } from './escpos-decoder.js';
import type { CapturedReceipt } from './receipt-model.js';
import { receiptText } from './receipt-model.js';
import { renderReceiptPng } from './render-png.js';

/** Receipts kept for a test or a tech to look at; older ones are dropped. */
export const capturedReceiptsMax = 100;

/**
 * An ESC/POS receipt printer: it captures what it is sent, cuts it into receipts, answers DLE EOT status
 * requests, and can run out of paper or have its cover opened. While either is true it prints nothing
 * (what arrives is dropped, as a real printer's buffer would be lost when the job is cancelled).
 */
export class PrinterSim {
  paperOut = false;
  coverOpen = false;
  readonly receipts: CapturedReceipt[] = [];
  droppedBytes = 0;
  private stream: Duplex | undefined;
  private readonly decoder: EscPosDecoder;
  private readonly waiters: Array<(receipt: CapturedReceipt) => void> = [];

  constructor() {
    this.decoder = new EscPosDecoder({
      onStatusRequest: (n) => this.answerStatus(n),
      onReceipt: (receipt) => this.addReceipt(receipt),
    });
  }

  attach(stream: Duplex): void {
    this.stream = stream;
    stream.on('data', (chunk: Buffer) => {
      if (this.stream !== stream) return;
      if (this.paperOut || this.coverOpen) {
        // Status requests are answered even offline; everything else is lost.
        this.offlineDecoder.write(chunk);
        return;
      }
      this.decoder.write(chunk);
    });
  }

  /** Resolves with the next receipt that is cut. */
  nextReceipt(): Promise<CapturedReceipt> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  text(receipt: CapturedReceipt): string {
    return receiptText(receipt);
  }

  png(receipt: CapturedReceipt): Promise<Buffer> {
    return renderReceiptPng(receipt);
  }

  /** A decoder that only answers status while offline, discarding the print data. */
  private readonly offlineDecoder = new EscPosDecoder({
    onStatusRequest: (n) => this.answerStatus(n),
    onReceipt: (receipt) => {
      this.droppedBytes += receipt.bytes;
    },
  });

  private addReceipt(receipt: CapturedReceipt): void {
    this.receipts.push(receipt);
    if (this.receipts.length > capturedReceiptsMax) this.receipts.shift();
    for (const resolve of this.waiters.splice(0)) resolve(receipt);
  }

  private answerStatus(n: number): void {
    let bits = 0;
    if (n === statusRequest.offlineCause) {
      if (this.coverOpen) bits |= coverOpenBit;
      if (this.paperOut) bits |= stoppedByPaperEndBit;
    } else if (n === statusRequest.paperSensor) {
      if (this.paperOut) bits |= paperEndBits;
    }
    this.stream?.write(Buffer.from([statusByte(bits)]));
  }
}
