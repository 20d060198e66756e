// Types for the few internal modules of the `qrcode` package (1.5.x) that @qrlog/qr uses for
// exact capacity and segmentation. The package ships no types for lib/core, so they are declared
// here; qrcode-core.test.ts checks them against qrcode's public create().

declare module 'qrcode/lib/core/error-correction-level.js' {
  /** An error correction level as qrcode represents it internally (compared by identity). */
  export interface CoreEcLevel {
    readonly bit: number;
  }
  const ecLevel: {
    readonly L: CoreEcLevel;
    readonly M: CoreEcLevel;
    readonly Q: CoreEcLevel;
    readonly H: CoreEcLevel;
  };
  export default ecLevel;
}

declare module 'qrcode/lib/core/mode.js' {
  export interface CoreMode {
    readonly id?: string;
    readonly bit: number;
    readonly ccBits?: readonly number[];
  }
  const mode: {
    readonly NUMERIC: CoreMode;
    readonly ALPHANUMERIC: CoreMode;
    readonly BYTE: CoreMode;
    readonly KANJI: CoreMode;
    /** Pseudo-mode: getCapacity() with MIXED gives the data capacity in bits. */
    readonly MIXED: CoreMode;
    /** Bits of the character count indicator of `mode` at `version`. */
    getCharCountIndicator(mode: CoreMode, version: number): number;
  };
  export default mode;
}

declare module 'qrcode/lib/core/segments.js' {
  import type { GeneratedQRCodeSegment, QRCodeSegment } from 'qrcode';
  const segments: {
    /** Segments as create() builds them from an array of segment descriptions. */
    fromArray(array: readonly QRCodeSegment[]): GeneratedQRCodeSegment[];
    /** The shortest segmentation of `data` for symbols of `version` (header sizes depend on it). */
    fromString(data: string, version: number): GeneratedQRCodeSegment[];
  };
  export default segments;
}

declare module 'qrcode/lib/core/version.js' {
  import type { GeneratedQRCodeSegment } from 'qrcode';
  import type { CoreEcLevel } from 'qrcode/lib/core/error-correction-level.js';
  import type { CoreMode } from 'qrcode/lib/core/mode.js';
  const version: {
    /** Smallest version (1–40) whose capacity holds `segments`, undefined if none. */
    getBestVersionForData(segments: readonly GeneratedQRCodeSegment[], ecl: CoreEcLevel): number | undefined;
    /** Capacity of a symbol; with mode MIXED, in data bits. */
    getCapacity(version: number, ecl: CoreEcLevel, mode: CoreMode): number;
  };
  export default version;
}
