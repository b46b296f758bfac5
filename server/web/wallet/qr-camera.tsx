import { useEffect, useRef, useState } from 'preact/hooks';

/** Why the camera did not open: the shopper (or the browser) refused it, or there is none to open. */
export type CameraFailure = 'denied' | 'unavailable';

/** Frames decoded per second at most: enough to feel instant, little enough for a cheap phone. */
const decodesPerSecond = 5;
/** Frames are scaled down to this width before decoding; a receipt's QR code fills much of the frame. */
const decodeWidthMax = 800;

type Decode = (data: Uint8ClampedArray, width: number, height: number) => string | null;

/**
 * The QR decoder (jsQR) is loaded only when the camera opens: most shoppers never scan, and it is about
 * as large as the rest of the wallet.
 */
async function loadDecoder(): Promise<Decode> {
  const { default: jsQR } = await import('jsqr');
  return (data, width, height) =>
    jsQR(data, width, height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/**
 * The phone's back camera in a video box, each frame looked at for a QR code until `onText` accepts
 * one (answers true), at which point the camera is released. Texts it refuses are passed on to be
 * explained and scanning goes on. The camera is also released when the box goes away.
 */
export function QrCamera({
  label,
  onText,
  onFailure,
}: {
  label: string;
  onText: (text: string) => boolean;
  onFailure: (failure: CameraFailure) => void;
}) {
  const video = useRef<HTMLVideoElement>(null);
  const [streaming, setStreaming] = useState(false);
  // The callbacks as of the latest render: the frame loop outlives the render that started it.
  const handlers = useRef({ onText, onFailure });
  handlers.current = { onText, onFailure };
  useEffect(() => {
    let stream: MediaStream | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const stop = (): void => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
    const start = async (): Promise<void> => {
      // Only a secure page (https, or localhost) may ask for a camera; elsewhere there is no mediaDevices.
      const devices = navigator.mediaDevices as MediaDevices | undefined;
      if (devices?.getUserMedia === undefined) return handlers.current.onFailure('unavailable');
      const decoder = loadDecoder();
      try {
        stream = await devices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      } catch (error) {
        const name = error instanceof DOMException ? error.name : '';
        return handlers.current.onFailure(
          name === 'NotAllowedError' || name === 'SecurityError' ? 'denied' : 'unavailable',
        );
      }
      const element = video.current;
      if (stopped || element === null) return stop();
      element.srcObject = stream;
      await element.play().catch(() => undefined);
      setStreaming(true);
      const decode = await decoder;
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('2d', { willReadFrequently: true });
      const look = (): void => {
        if (stopped || context === null) return;
        const width = element.videoWidth;
        const height = element.videoHeight;
        if (width > 0 && height > 0) {
          const scale = Math.min(1, decodeWidthMax / width);
          canvas.width = Math.round(width * scale);
          canvas.height = Math.round(height * scale);
          context.drawImage(element, 0, 0, canvas.width, canvas.height);
          const frame = context.getImageData(0, 0, canvas.width, canvas.height);
          const text = decode(frame.data, frame.width, frame.height);
          if (text !== null && handlers.current.onText(text)) return stop();
        }
        timer = setTimeout(look, 1000 / decodesPerSecond);
      };
      look();
    };
    void start();
    return stop;
  }, []);
  return (
    <div class="camera-box">
      <video
        ref={video}
        class="camera"
        muted
        playsInline
        aria-label={label}
        data-streaming={streaming ? 'yes' : 'no'}
      />
    </div>
  );
}
