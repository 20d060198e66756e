import { isSerial } from '@qrlog/link';
import { z } from 'zod';
import { headsRoot, sortHeads, type ChainHead } from './checkpoint-tree.ts';

/**
 * A checkpoint file (docs/evidence.md, ADR 0010): JSON, one file per checkpoint. What is signed
 * is not the JSON but the short text `signedStatement` makes from it, so any JSON library may
 * read and re-write the file without breaking the signature.
 */
export const CHECKPOINT_FORMAT = 'qrlog-checkpoint/1';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 32 bytes as 64 lower-case hex digits');

const checkpointFileSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  issuedAt: z.iso.datetime({ offset: false, precision: 3 }),
  treeSize: z.number().int().min(0),
  rootHash: hex32,
  keyId: z.string().regex(/^[0-9a-f]{16}$/),
  signature: z.base64().refine((s) => Buffer.from(s, 'base64').length === 64, 'expected 64 bytes as base64'),
  leaves: z.array(
    z.object({
      serial: z.string().refine(isSerial, 'expected a serial'),
      chainLength: z.number().int().min(1),
      headHash: hex32,
    }),
  ),
});

export type CheckpointFile = z.infer<typeof checkpointFileSchema>;

/** The statement the signature covers: the text, UTF-8, every line ending in \n. */
export function signedStatement(c: Pick<CheckpointFile, 'issuedAt' | 'treeSize' | 'rootHash' | 'keyId'>): Buffer {
  return Buffer.from(`${CHECKPOINT_FORMAT}\nissued-at ${c.issuedAt}\ntree-size ${String(c.treeSize)}\nroot ${c.rootHash}\nkey ${c.keyId}\n`, 'utf8');
}

/** A checkpoint over the heads, signed by `sign`. */
export function makeCheckpoint(heads: readonly ChainHead[], issuedAt: Date, keyId: string, sign: (m: Buffer) => Buffer): CheckpointFile {
  const sorted = sortHeads(heads);
  const unsigned = { issuedAt: issuedAt.toISOString(), treeSize: sorted.length, rootHash: headsRoot(sorted).toString('hex'), keyId };
  return {
    format: CHECKPOINT_FORMAT,
    ...unsigned,
    signature: sign(signedStatement(unsigned)).toString('base64'),
    leaves: sorted.map((h) => ({ serial: h.serial, chainLength: h.chainLength, headHash: h.headHash.toString('hex') })),
  };
}

/** The file's text: fixed key order, one leaf a line, so that `diff` between two checkpoints reads well. */
export function checkpointText(c: CheckpointFile): string {
  const { leaves, ...head } = c;
  const fields = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const rows = leaves.map((l, i) => `    ${JSON.stringify(l)}${i === leaves.length - 1 ? '' : ','}`);
  return ['{', ...fields, `  "leaves": [${rows.length === 0 ? ']' : ''}`, ...(rows.length === 0 ? [] : [...rows, '  ]']), '}', ''].join('\n');
}

/** Parses a checkpoint file; a reason instead when it is not one, or its leaves do not give its root. */
export function parseCheckpoint(text: string): { ok: true; checkpoint: CheckpointFile; heads: ChainHead[] } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = checkpointFileSchema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `not a ${CHECKPOINT_FORMAT} file (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? ''})` };
  const c = parsed.data;
  const heads = c.leaves.map((l) => ({ serial: l.serial, chainLength: l.chainLength, headHash: Buffer.from(l.headHash, 'hex') }));
  if (new Set(heads.map((h) => h.serial)).size !== heads.length) return { ok: false, reason: 'a serial is listed twice' };
  if (c.treeSize !== heads.length) return { ok: false, reason: `tree size ${String(c.treeSize)} but ${String(heads.length)} leaves` };
  if (headsRoot(heads).toString('hex') !== c.rootHash) return { ok: false, reason: 'the leaves do not give the root hash' };
  return { ok: true, checkpoint: c, heads };
}
