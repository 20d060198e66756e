import { requireQrFit } from './qr-fit.ts';
import type { EccLevel, FitOptions } from './qr-options.ts';

/** What a link's QR code looks like, for reports and logs. */
export interface QrInfo {
  version: number;
  ecc: EccLevel;
  /** Modules on one side, without quiet zone. */
  modules: number;
  dataBits: number;
  capacityBits: number;
}

/** Size of the QR code for `url`; throws QrError('too-large') if it needs more than maxVersion. */
export function qrInfo(url: string, opts?: FitOptions): QrInfo {
  const { version, ecc, modules, dataBits, capacityBits } = requireQrFit(url, opts);
  return { version, ecc, modules, dataBits, capacityBits };
}
