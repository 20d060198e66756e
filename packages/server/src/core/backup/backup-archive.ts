import { Decrypter, Encrypter } from 'age-encryption';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { createGunzip, createGzip } from 'node:zlib';
import { AppError } from '../../common/app-error.ts';

/**
 * One backup object on its way out: a file (or bytes), optionally gzip-compressed, encrypted to
 * the backup key's age recipient (ADR 14), streamed, and its SHA-256 taken of the bytes as stored
 * so a download can be checked against the manifest before anything is decrypted.
 */
export interface SealedStream {
  stream: Readable;
  /** Resolves once the stream has been read to its end. */
  sha256(): string;
}

export async function sealFile(file: string, recipient: string, gzip: boolean): Promise<SealedStream> {
  const source: Readable = gzip ? createReadStream(file).pipe(createGzip({ level: 6 })) : createReadStream(file);
  return seal(source, recipient);
}

export async function sealBytes(bytes: Buffer, recipient: string): Promise<SealedStream> {
  return seal(Readable.from([bytes]), recipient);
}

async function seal(source: Readable, recipient: string): Promise<SealedStream> {
  const e = new Encrypter();
  e.addRecipient(recipient);
  const encrypted = await e.encrypt(Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>);
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const stream = Readable.fromWeb(encrypted as unknown as WebReadableStream<Uint8Array>).pipe(hashing);
  let digest: string | undefined;
  stream.on('end', () => {
    digest = hash.digest('hex');
  });
  return {
    stream,
    sha256() {
      if (digest === undefined) throw new Error('the sealed stream was not read to its end');
      return digest;
    },
  };
}

/**
 * A stored object back: its SHA-256 checked against the manifest's (the whole object is hashed
 * on the way, and a mismatch fails before the output is used), decrypted with the backup key,
 * gunzipped when it was compressed, written to `file`.
 */
export async function openToFile(stored: Readable, identity: string, expectedSha256: string, gzip: boolean, file: string): Promise<void> {
  const hash = createHash('sha256');
  const hashing = new PassThrough();
  hashing.on('data', (chunk: Buffer) => hash.update(chunk));
  const d = new Decrypter();
  d.addIdentity(identity);
  let decrypted: ReadableStream<Uint8Array>;
  try {
    decrypted = await d.decrypt(Readable.toWeb(stored.pipe(hashing)) as unknown as ReadableStream<Uint8Array>);
  } catch (e) {
    throw decryptProblem(e);
  }
  const plain = Readable.fromWeb(decrypted as unknown as WebReadableStream<Uint8Array>);
  try {
    await (gzip ? pipeline(plain, createGunzip(), createWriteStream(file, { mode: 0o600 })) : pipeline(plain, createWriteStream(file, { mode: 0o600 })));
  } catch (e) {
    throw decryptProblem(e);
  }
  const got = hash.digest('hex');
  if (got !== expectedSha256) throw new AppError('failed', `the stored object's SHA-256 ${got.slice(0, 16)}… is not the manifest's ${expectedSha256.slice(0, 16)}…: it was changed or cut short`, { reason: 'backup-corrupt' });
}

export async function openToBytes(stored: Readable, identity: string, expectedSha256: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'qrlog-backup-'));
  try {
    await openToFile(stored, identity, expectedSha256, false, join(dir, 'object'));
    return await readFile(join(dir, 'object'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function decryptProblem(e: unknown): AppError {
  const message = e instanceof Error ? e.message : String(e);
  if (/no identity matched|identity/i.test(message)) {
    return new AppError('invalid-configuration', 'the backup key does not open this backup: it was made with another key (QRLOG_BACKUP_KEY / QRLOG_BACKUP_KEY_FILE)', { reason: 'wrong-backup-key' });
  }
  return new AppError('failed', `the backup does not decrypt: ${message}`, { reason: 'backup-corrupt' });
}
