/**
 * Link format versions (docs/link-format.md). The first payload byte names the version; readers
 * open every version listed here, writers write DEFAULT_FORMAT_VERSION unless told otherwise.
 */
export const FORMAT_VERSIONS = [1, 2] as const;
export type FormatVersion = (typeof FORMAT_VERSIONS)[number];

/** The version `sealLink`, `qrlog link pack` and the simulator write: the one switch for the default. */
export const DEFAULT_FORMAT_VERSION: FormatVersion = 2;

export function isFormatVersion(v: unknown): v is FormatVersion {
  return FORMAT_VERSIONS.includes(v as FormatVersion);
}
