import jsQR from 'jsqr';
import { useEffect, useRef } from 'react';

/** How often a camera frame is looked at for a QR code: often enough to feel instant, light on a laptop. */
const FRAME_INTERVAL_MS = 150;

/**
 * The laptop's camera, looking for a QR code: shows the picture and hands the first text it decodes
 * to `onText`, then stops the camera. Decoding happens here in the browser (jsQR); nothing leaves
 * the page but what `onText` does with the text.
 */
export function QrCamera({ label, onText, onError }: { label: string; onText: (text: string) => void; onError: (error: Error) => void }) {
  const video = useRef<HTMLVideoElement>(null);
  // The newest callbacks, without restarting the camera when the parent renders again.
  const handlers = useRef({ onText, onError });
  handlers.current = { onText, onError };

  useEffect(() => {
    let stream: MediaStream | undefined;
    let timer: number | undefined;
    let stopped = false;
    const stop = () => {
      stopped = true;
      window.clearInterval(timer);
      for (const track of stream?.getTracks() ?? []) track.stop();
    };
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    const look = () => {
      const v = video.current;
      if (v === null || context === null || v.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || v.videoWidth === 0) return;
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      context.drawImage(v, 0, 0);
      const frame = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = jsQR(frame.data, frame.width, frame.height);
      if (found !== null && found.data !== '') {
        stop();
        handlers.current.onText(found.data);
      }
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: 'environment' }, audio: false })
      .then(async (s) => {
        stream = s;
        if (stopped || video.current === null) {
          stop();
          return;
        }
        video.current.srcObject = s;
        await video.current.play();
        timer = window.setInterval(look, FRAME_INTERVAL_MS);
      })
      .catch((e: unknown) => {
        if (!stopped) handlers.current.onError(e instanceof Error ? e : new Error(String(e)));
      });
    return stop;
  }, []);

  return <video ref={video} className="camera" aria-label={label} muted playsInline />;
}
