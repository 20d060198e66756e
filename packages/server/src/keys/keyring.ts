import type { Kek } from './key-wrap.ts';

import { KEK_LABEL_PATTERN } from '../config/storage-config.ts';

export const KEK_LABEL = KEK_LABEL_PATTERN;
export const KEK_BYTES = 32;

/** The KEKs this process knows, by label; `active` wraps new keys. */
export interface KeyringContents {
  active: string;
  keks: readonly Kek[];
}

/**
 * Holds the KEKs. When a wrap names a label it does not know (another process rotated to a new
 * KEK), it reloads its source once, at most every `reloadIntervalMs`, so rotation works online.
 */
export class Keyring {
  private contents: KeyringContents;
  private lastReload = 0;

  constructor(
    contents: KeyringContents,
    private readonly reload: (() => KeyringContents) | null = null,
    private readonly reloadIntervalMs = 1_000,
  ) {
    this.contents = checkContents(contents);
  }

  get active(): Kek {
    const kek = this.contents.keks.find((k) => k.label === this.contents.active);
    if (!kek) throw new Error(`active KEK "${this.contents.active}" is missing`);
    return kek;
  }

  get labels(): string[] {
    return this.contents.keks.map((k) => k.label);
  }

  find(label: string): Kek | undefined {
    const known = this.contents.keks.find((k) => k.label === label);
    if (known !== undefined || this.reload === null) return known;
    const now = Date.now();
    if (now - this.lastReload < this.reloadIntervalMs) return undefined;
    this.lastReload = now;
    this.contents = checkContents(this.reload());
    return this.contents.keks.find((k) => k.label === label);
  }
}

function checkContents(c: KeyringContents): KeyringContents {
  for (const k of c.keks) {
    if (!KEK_LABEL.test(k.label)) throw new Error('a KEK label is 1 to 64 characters of A-Z a-z 0-9 . _ -');
    if (k.key.length !== KEK_BYTES) throw new Error(`KEK "${k.label}" must be ${String(KEK_BYTES)} bytes`);
  }
  if (!c.keks.some((k) => k.label === c.active)) throw new Error(`the active KEK label "${c.active}" has no key`);
  return c;
}
