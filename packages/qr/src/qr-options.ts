import { QrError } from './qr-error.ts';

/** QR error correction level: L ≈ 7 %, M ≈ 15 %, Q ≈ 25 %, H ≈ 30 % of codewords recoverable. */
export type EccLevel = 'L' | 'M' | 'Q' | 'H';

export const ECC_LEVELS: readonly EccLevel[] = ['L', 'M', 'Q', 'H'];

/** QR versions run from 1 (21×21 modules) to 40 (177×177). */
export const MIN_QR_VERSION = 1;
export const MAX_QR_VERSION = 40;

/** How a link may be fitted into a QR symbol. */
export interface FitOptions {
  /** Error correction level; default 'M'. */
  ecc?: EccLevel;
  /** Largest QR version allowed; default 40. */
  maxVersion?: number;
}

export interface ResolvedFitOptions {
  ecc: EccLevel;
  maxVersion: number;
}

export const DEFAULT_ECC: EccLevel = 'M';

// Options can come from a CLI flag or a config file, so they are checked here, where they enter.
export function resolveFitOptions(opts: FitOptions = {}): ResolvedFitOptions {
  const ecc = opts.ecc ?? DEFAULT_ECC;
  if (!ECC_LEVELS.includes(ecc)) {
    throw new QrError('invalid-option', `ecc must be one of ${ECC_LEVELS.join(', ')}, got ${JSON.stringify(ecc)}`);
  }
  const maxVersion = opts.maxVersion ?? MAX_QR_VERSION;
  if (!Number.isInteger(maxVersion) || maxVersion < MIN_QR_VERSION || maxVersion > MAX_QR_VERSION) {
    throw new QrError(
      'invalid-option',
      `maxVersion must be an integer from ${MIN_QR_VERSION} to ${MAX_QR_VERSION}, got ${String(maxVersion)}`,
    );
  }
  return { ecc, maxVersion };
}

/** Number of modules on one side of a QR symbol of `version` (ISO/IEC 18004: 17 + 4 × version). */
export function modulesForVersion(version: number): number {
  return 17 + 4 * version;
}
