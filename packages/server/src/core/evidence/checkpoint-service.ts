import { linkSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { CheckpointSigner } from '../../keys/checkpoint-key.ts';
import type { Database } from '../../storage/database-schema.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';
import { checkpointText, makeCheckpoint, type CheckpointFile } from './checkpoint-format.ts';

export interface WrittenCheckpoint {
  file: string;
  checkpoint: CheckpointFile;
}

/**
 * Signs the head of every logger's chain, in one Merkle tree, and writes the checkpoint to the
 * operator's directory outside the database (ADR 0010). Run by the 'evidence-checkpoint' job
 * and by `qrlog checkpoints create`.
 */
export class CheckpointService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly signer: CheckpointSigner | null,
    private readonly dir: string | undefined,
    private readonly now: () => Date,
  ) {}

  /** Whether a key and a directory are configured: without both nothing is written. */
  get configured(): boolean {
    return this.signer !== null && this.dir !== undefined;
  }

  /** Where checkpoints are written (backups carry every file in it). */
  get directory(): string | undefined {
    return this.dir;
  }

  /** The signer's public key (PEM), recorded with backups; undefined without a key. */
  get publicKeyPem(): string | undefined {
    return this.signer?.publicKeyPem;
  }

  /** One line for the start banner: where checkpoints go and which key signs them, or why none are made. */
  describe(intervalMinutes: number): string {
    if (this.signer === null) return 'signed checkpoints off: no QRLOG_CHECKPOINT_KEY_FILE / QRLOG_CHECKPOINT_KEY (docs/evidence.md)';
    if (this.dir === undefined) return `signed checkpoints off: no QRLOG_CHECKPOINT_DIR (key ${this.signer.keyId} signs scan receipts)`;
    const when = intervalMinutes > 0 ? `every ${String(intervalMinutes)} min` : 'on demand only';
    return `signed checkpoints ${when} to ${this.dir} (key ${this.signer.keyId})`;
  }

  async create(): Promise<WrittenCheckpoint> {
    const signer = this.signer;
    const dir = this.dir;
    if (signer === null) throw new AppError('invalid-configuration', 'no checkpoint signing key: set QRLOG_CHECKPOINT_KEY_FILE (qrlog checkpoints keygen makes one) or QRLOG_CHECKPOINT_KEY');
    if (dir === undefined) throw new AppError('invalid-configuration', 'no checkpoint directory: set QRLOG_CHECKPOINT_DIR to a directory outside the database');
    // Issued-at is taken before the heads are read: every link the checkpoint covers arrived before it.
    const issuedAt = this.now();
    const heads = (await evidenceRepository.heads(this.db)).map((h) => ({ serial: h.serial, chainLength: h.chainIndex + 1, headHash: h.hash }));
    const checkpoint = makeCheckpoint(heads, issuedAt, signer.keyId, (m) => signer.sign(m));
    return { file: writeOnce(dir, checkpoint), checkpoint };
  }
}

/**
 * Written whole or not at all: a temporary file, then a hard link under the final name, which
 * fails rather than replace a checkpoint already there (two in the same millisecond get a suffix).
 */
function writeOnce(dir: string, checkpoint: CheckpointFile): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const base = `checkpoint-${checkpoint.issuedAt.replace(/:/g, '-')}`;
  const tmp = join(dir, `.${base}.${String(process.pid)}.tmp`);
  writeFileSync(tmp, checkpointText(checkpoint), { mode: 0o644 });
  try {
    for (let n = 0; ; n++) {
      const file = join(dir, `${base}${n === 0 ? '' : `-${String(n)}`}.json`);
      try {
        linkSync(tmp, file);
        return file;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw e;
      }
    }
  } finally {
    unlinkSync(tmp);
  }
}
