// Everything of @qrlog/qr that runs in a browser as well as in Node (no PNG: pngjs needs Node).
export { QrError, isQrError, type QrErrorCode } from './qr-error.ts';
export {
  ECC_LEVELS,
  MAX_QR_VERSION,
  MIN_QR_VERSION,
  modulesForVersion,
  type EccLevel,
  type FitOptions,
} from './qr-options.ts';
export { linkSegments, splitDigitTail, type DigitTail } from './link-segments.ts';
export { fitQr, qrVersionFor, type QrFit } from './qr-fit.ts';
export { packNewest, type PackNewestOptions, type PackedLink } from './pack-newest.ts';
export { qrInfo, type QrInfo } from './qr-info.ts';
export { qrSymbol, type QrSymbol } from './qr-symbol.ts';
export { DEFAULT_MARGIN, DEFAULT_SCALE, type RenderOptions } from './render-options.ts';
export { renderSvg } from './render-svg.ts';
export { renderTerminal, TERMINAL_STYLES, type TerminalRenderOptions, type TerminalStyle } from './render-terminal.ts';
