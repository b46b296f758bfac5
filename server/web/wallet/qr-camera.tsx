import { useEffect, useRef, useState } from 'preact/hooks';
import { decodeWidthMax, decodesPerSecond, scanDurationMsMax } from './qr-scan-limits.js';

/**
 * Why the camera is not looking: the shopper (or the browser) refused it, the device has none, it could
 * not be opened (or the decoder could not be fetched), or it looked for scanDurationMsMax without finding
 * a code it was after.
 */
export type CameraFailure = 'denied' | 'none' | 'unavailable' | 'timedOut';

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
      if (devices?.getUserMedia === undefined) return handlers.current.onFailure('none');
      // Fetched while the shopper answers the camera prompt; a failure is dealt with where it is awaited.
      const decoder = loadDecoder();
      decoder.catch(() => undefined);
      try {
        stream = await devices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      } catch (error) {
        // Stopped meanwhile (the shopper pressed Stop while the prompt was open): nothing to say.
        if (stopped) return;
        const name = error instanceof DOMException ? error.name : '';
        return handlers.current.onFailure(
          name === 'NotAllowedError' || name === 'SecurityError'
            ? 'denied'
            : name === 'NotFoundError' || name === 'OverconstrainedError'
              ? 'none'
              : 'unavailable',
        );
      }
      const element = video.current;
      if (stopped || element === null) return stop();
      element.srcObject = stream;
      await element.play().catch(() => undefined);
      let decode: Decode;
      try {
        decode = await decoder;
      } catch {
        // The decoder's download failed (a patchy connection): let the camera go and say it cannot scan.
        stop();
        return handlers.current.onFailure('unavailable');
      }
      if (stopped) return;
      setStreaming(true);
      const startedAtMs = Date.now();
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('2d', { willReadFrequently: true });
      const look = (): void => {
        if (stopped || context === null) return;
        if (Date.now() - startedAtMs > scanDurationMsMax) {
          stop();
          return handlers.current.onFailure('timedOut');
        }
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
