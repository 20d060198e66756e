import { writeFileSync } from 'node:fs';
import { qrSymbol } from '@qrlog/qr';

/**
 * A video file Chromium's fake camera plays (`--use-file-for-fake-video-capture`): a Y4M stream
 * (a text header, then raw I420 frames) showing `text` as a black-on-white QR code in the middle
 * of a white picture, as a laptop camera would see a logger's display held up to it.
 */
export function writeQrVideo(path: string, text: string, o: { width?: number; height?: number; frames?: number } = {}): void {
  const width = o.width ?? 640;
  const height = o.height ?? 480;
  const symbol = qrSymbol(text);
  const quiet = 4;
  const scale = Math.floor(Math.min(width, height) / (symbol.size + 2 * quiet));
  if (scale < 2) throw new Error(`a ${String(symbol.size)}-module QR code does not fit ${String(width)}×${String(height)}`);
  const left = Math.floor((width - symbol.size * scale) / 2);
  const top = Math.floor((height - symbol.size * scale) / 2);
  // Luma only: white (235, video range) with black (16) modules; chroma neutral (128).
  const luma = Buffer.alloc(width * height, 235);
  for (let row = 0; row < symbol.size; row++) {
    for (let col = 0; col < symbol.size; col++) {
      if (!symbol.isDark(row, col)) continue;
      for (let y = 0; y < scale; y++) luma.fill(16, (top + row * scale + y) * width + left + col * scale, (top + row * scale + y) * width + left + (col + 1) * scale);
    }
  }
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${String(width)} H${String(height)} F10:1 Ip A1:1 C420jpeg\n`);
  writeFileSync(path, Buffer.concat([header, ...Array.from({ length: o.frames ?? 10 }, () => frame)]));
}
