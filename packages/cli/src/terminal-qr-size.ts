import { DEFAULT_MARGIN, MAX_QR_VERSION, modulesForVersion } from '@qrlog/qr';

/** Assumed when the width is unknown (output to a file or a pipe): the classic terminal. */
export const DEFAULT_TERMINAL_COLUMNS = 80;

/** The terminal's width in columns, or 80 when stdout is not a terminal. */
export function terminalColumns(): number {
  return process.stdout.columns || DEFAULT_TERMINAL_COLUMNS;
}

/**
 * Columns a QR code of `version` takes when drawn with half blocks: one per module plus the quiet
 * zone each side. A line wider than the terminal wraps and the code can no longer be scanned.
 */
export function qrColumns(version: number): number {
  return modulesForVersion(version) + 2 * DEFAULT_MARGIN;
}

/** The largest QR version whose drawing fits in `columns`, or 0 when not even version 1 does. */
export function largestQrVersionFitting(columns: number): number {
  let version = 0;
  while (version < MAX_QR_VERSION && qrColumns(version + 1) <= columns) version++;
  return version;
}
