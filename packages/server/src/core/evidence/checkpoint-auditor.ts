import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { CheckpointPublicKey } from '../../keys/checkpoint-key.ts';
import type { Database } from '../../storage/database-schema.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';
import { parseCheckpoint, signedStatement } from './checkpoint-format.ts';
import type { ChainHead } from './checkpoint-tree.ts';

export interface CheckpointFinding {
  /** The checkpoint file (name within the directory) the finding comes from: the oldest that shows it. */
  checkpoint: string;
  serial?: string;
  problem: string;
  /** Later checkpoints that show the same for this logger. */
  alsoIn?: number;
}

export interface CheckpointAudit {
  /** Checkpoint files found, and how many of them carry a good signature by the given key. */
  files: number;
  verified: number;
  newestIssuedAt: string | null;
  findings: CheckpointFinding[];
}

/**
 * `qrlog verify --checkpoints DIR --public-key FILE`: checks each checkpoint's signature with the
 * public key given apart from the database, then the database against every verified checkpoint:
 * each logger's chain must still hold at least the links checkpointed, and the link at the
 * checkpointed length must still have the checkpointed hash (which commits to every link before
 * it). The chain itself is recomputed by EvidenceVerifier; together they find links cut off,
 * loggers removed and chains rewritten and recomputed before the newest checkpoint.
 */
export class CheckpointAuditor {
  constructor(private readonly db: Kysely<Database>) {}

  /** `keys`: one public key, or several after a key change (each checkpoint names its key id). */
  async audit(dir: string, keys: CheckpointPublicKey | readonly CheckpointPublicKey[], serial?: string): Promise<CheckpointAudit> {
    const byId = new Map((Array.isArray(keys) ? keys : [keys]).map((k: CheckpointPublicKey) => [k.keyId, k]));
    const names = listCheckpointFiles(dir);
    const audit: CheckpointAudit = { files: names.length, verified: 0, newestIssuedAt: null, findings: [] };
    if (names.length === 0) audit.findings.push({ checkpoint: dir, problem: 'no checkpoint files (checkpoint-*.json) in the directory' });
    const bySerial = new Map<string, CheckpointFinding>();
    const lookups = new Map<string, Promise<Buffer | null>>();
    const hashAt = (s: string, index: number) => {
      const k = `${s}\n${String(index)}`;
      let p = lookups.get(k);
      if (p === undefined) {
        p = evidenceRepository.at(this.db, s, index).then((r) => r?.hash ?? null);
        lookups.set(k, p);
      }
      return p;
    };
    for (const name of names) {
      const parsed = parseCheckpoint(readFileSync(join(dir, name), 'utf8'));
      if (!parsed.ok) {
        audit.findings.push({ checkpoint: name, problem: `not a valid checkpoint: ${parsed.reason}` });
        continue;
      }
      const c = parsed.checkpoint;
      const key = byId.get(c.keyId);
      if (key === undefined) {
        audit.findings.push({ checkpoint: name, problem: `signed by key ${c.keyId}, not by a given public key (${[...byId.keys()].join(', ')})` });
        continue;
      }
      if (!key.verify(signedStatement(c), Buffer.from(c.signature, 'base64'))) {
        audit.findings.push({ checkpoint: name, problem: 'the signature does not verify: the checkpoint was changed or forged' });
        continue;
      }
      audit.verified++;
      if (audit.newestIssuedAt === null || c.issuedAt > audit.newestIssuedAt) audit.newestIssuedAt = c.issuedAt;
      for (const head of parsed.heads) {
        if (serial !== undefined && head.serial !== serial) continue;
        const problem = await this.checkHead(head, hashAt);
        if (problem === null) continue;
        const seen = bySerial.get(head.serial);
        if (seen) seen.alsoIn = (seen.alsoIn ?? 0) + 1;
        else bySerial.set(head.serial, { checkpoint: name, serial: head.serial, problem });
      }
    }
    audit.findings.push(...bySerial.values());
    return audit;
  }

  private async checkHead(head: ChainHead, hashAt: (serial: string, index: number) => Promise<Buffer | null>): Promise<string | null> {
    const newest = head.chainLength - 1;
    const stored = await hashAt(head.serial, newest);
    if (stored !== null) {
      return stored.equals(head.headHash)
        ? null
        : `link ${String(newest)} differs from the checkpoint: it or a link before it was changed and the chain recomputed`;
    }
    const length = await evidenceRepository.length(this.db, head.serial);
    if (length === 0) return `the whole chain is gone: the checkpoint covers ${String(head.chainLength)} link(s), the database holds none`;
    return `links are missing: the checkpoint covers ${String(head.chainLength)} link(s), the database holds ${String(length)}`;
  }
}

/** Checkpoint files in name order, which is issue order (the name is the issue time). */
function listCheckpointFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new AppError('invalid-request', `--checkpoints: cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return names.filter((n) => /^checkpoint-.*\.json$/.test(n)).sort();
}
