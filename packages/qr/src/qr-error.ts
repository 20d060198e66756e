/** The one error type of @qrlog/qr: bad input or options, or a link that does not fit the allowed QR size. */
export type QrErrorCode =
  /** The text to encode is unusable (empty, not a string). */
  | 'invalid-input'
  /** An option is out of range (ECC level, version, scale, margin, count). */
  | 'invalid-option'
  /** The text needs a larger QR version than allowed (or than QR codes have). */
  | 'too-large';

export class QrError extends Error {
  override readonly name = 'QrError';
  constructor(
    readonly code: QrErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isQrError(e: unknown): e is QrError {
  return e instanceof QrError;
}
