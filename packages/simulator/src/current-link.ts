import { sealLink, splitLinkUrl, type LinkContent, type LoggerKey } from '@qrlog/link';
import { packNewest, type FitOptions } from '@qrlog/qr';

export interface CurrentLinkOptions extends FitOptions {
  /** Lowercase https://host[:port]/[path/] the link points to (sealLink's default when omitted). */
  baseUrl?: string;
}

export interface CurrentLink {
  url: string;
  /** The QR byte segment (base URL). */
  prefix: string;
  /** The QR numeric segment (sealed payload in decimal). */
  digits: string;
  /** Samples per channel the link carries: the newest ones, seq firstSeq … firstSeq + count − 1. */
  count: number;
  firstSeq: number;
  /** QR version the link fits in. */
  version: number;
  sealedAt: number;
}

/** What sealing needs of a logger. */
export interface SealableLogger {
  readonly serial: string;
  readonly key: LoggerKey;
  readonly memoryLength: number;
  readonly nextSeq: number;
  readonly clock: number;
  content(count: number): LinkContent;
  recordSeal(): void;
}

/** The link a logger's screen would show now: as many of the newest samples as fit in the QR symbol. */
export function sealCurrentLink(logger: SealableLogger, options: CurrentLinkOptions): CurrentLink {
  const seal = (count: number): string => sealLink(logger.content(count), logger.key, baseUrlOption(options)).url;
  const packed = packNewest({ maxCount: logger.memoryLength, build: seal, ...fitOptions(options) });
  if (!packed) {
    throw new Error(
      logger.memoryLength === 0
        ? `logger ${logger.serial} has no samples yet: advance its clock past the session start first`
        : `not even one sample of logger ${logger.serial} fits in a QR symbol within the allowed version`,
    );
  }
  logger.recordSeal();
  const { prefix, digits } = splitLinkUrl(packed.url);
  return {
    url: packed.url,
    prefix,
    digits,
    count: packed.count,
    firstSeq: logger.nextSeq - packed.count,
    version: packed.version,
    sealedAt: logger.clock,
  };
}

// exactOptionalPropertyTypes is off, but undefined must still not override the callee's defaults.
function baseUrlOption(o: CurrentLinkOptions): { baseUrl?: string } {
  return o.baseUrl === undefined ? {} : { baseUrl: o.baseUrl };
}

function fitOptions(o: CurrentLinkOptions): FitOptions {
  const fit: FitOptions = {};
  if (o.ecc !== undefined) fit.ecc = o.ecc;
  if (o.maxVersion !== undefined) fit.maxVersion = o.maxVersion;
  return fit;
}
