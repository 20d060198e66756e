// Two decoders independent of the qrcode encoder: jsQR (pure JS) and ZXing-C++ (WebAssembly).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import jsQR from 'jsqr';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import type { RgbaImage } from './rgba-image.ts';

export interface Decoded {
  text: string;
  version: number;
}

export interface JsQrDecoded extends Decoded {
  /** Encoding modes of the segments found in the symbol, in order ('byte', 'numeric', …). */
  modes: string[];
}

export interface ZxingDecoded extends Decoded {
  ecc: string;
}

export function decodeWithJsQR(image: RgbaImage): JsQrDecoded | null {
  const result = jsQR(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
  if (result === null) return null;
  return { text: result.data, version: result.version, modes: result.chunks.map((chunk) => chunk.type) };
}

let zxingReady = false;

// zxing-wasm would fetch its .wasm from a CDN by default; hand it the binary from node_modules.
function prepareZxing(): void {
  if (zxingReady) return;
  const wasmPath = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
  prepareZXingModule({ overrides: { wasmBinary: readFileSync(wasmPath).buffer } });
  zxingReady = true;
}

/** Reads an RGBA image, or an encoded image file (PNG) that ZXing decodes itself. */
export async function decodeWithZxing(input: RgbaImage | Uint8Array): Promise<ZxingDecoded | null> {
  prepareZxing();
  const results = await readBarcodes(input, { formats: ['QRCode'], maxNumberOfSymbols: 1 });
  const result = results[0];
  if (result === undefined || !result.isValid) return null;
  const extra: unknown = JSON.parse(result.extra);
  if (typeof extra !== 'object' || extra === null || !('Version' in extra) || !('ECLevel' in extra)) {
    throw new Error(`unexpected ZXing extra: ${result.extra}`);
  }
  return { text: result.text, version: Number(extra.Version), ecc: String(extra.ECLevel) };
}
