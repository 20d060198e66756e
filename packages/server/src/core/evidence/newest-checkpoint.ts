import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckpoint } from './checkpoint-format.ts';

export interface CheckpointMention {
  issuedAt: string;
  keyId: string;
  rootHash: string;
  /** Links of the logger's chain the checkpoint covers. */
  chainLength: number;
}

/** Checkpoint files looked at, newest first, before giving up (hourly checkpoints: two days). */
const MAX_FILES = 48;

/**
 * The newest checkpoint in the directory whose tree holds the logger's chain (files are named by
 * their issue time, so name order is time order). Only well-formed files whose leaves give their
 * root count; the signature is checked by `qrlog verify --checkpoints`, not here.
 */
export function newestCheckpointCovering(dir: string | undefined, serial: string): CheckpointMention | null {
  if (dir === undefined) return null;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith('checkpoint-') && n.endsWith('.json'));
  } catch {
    return null;
  }
  for (const name of names.sort().reverse().slice(0, MAX_FILES)) {
    let text: string;
    try {
      text = readFileSync(join(dir, name), 'utf8');
    } catch {
      continue;
    }
    const parsed = parseCheckpoint(text);
    if (!parsed.ok) continue;
    const leaf = parsed.checkpoint.leaves.find((l) => l.serial === serial);
    if (leaf) return { issuedAt: parsed.checkpoint.issuedAt, keyId: parsed.checkpoint.keyId, rootHash: parsed.checkpoint.rootHash, chainLength: leaf.chainLength };
  }
  return null;
}
