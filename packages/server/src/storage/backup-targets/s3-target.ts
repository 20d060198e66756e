import { DeleteObjectsCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import { AppError } from '../../common/app-error.ts';
import type { BackupTarget } from './backup-target.ts';

export interface S3TargetOptions {
  bucket: string;
  /** Keys go under it ('' or 'path/without/slashes/at/the/ends'). */
  prefix: string;
  endpoint?: string | undefined;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
  /** Object lock: every object retained this many days in this mode (the bucket must have object lock on). */
  lock?: { days: number; mode: 'GOVERNANCE' | 'COMPLIANCE' } | undefined;
}

/**
 * An S3-compatible bucket. Objects are streamed up in parts (lib-storage's Upload: a multipart
 * upload is only visible once completed, and an aborted one leaves nothing listed). Checksums
 * are computed only where the operation requires them: S3-compatible stores that do not know the
 * newer default checksum trailers (s3rver) otherwise store the trailer bytes in the object.
 */
export class S3Target implements BackupTarget {
  private readonly client: S3Client;

  constructor(private readonly o: S3TargetOptions) {
    this.client = new S3Client({
      region: o.region,
      forcePathStyle: o.forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
      ...(o.credentials === undefined ? {} : { credentials: o.credentials }),
    });
  }

  get location(): string {
    return `s3://${this.o.bucket}/${this.o.prefix}`;
  }

  async put(key: string, body: Readable): Promise<{ bytes: number }> {
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    const lock = this.o.lock;
    const upload = new Upload({
      client: this.client,
      partSize: 16 * 1024 * 1024,
      queueSize: 2,
      leavePartsOnError: false,
      params: {
        Bucket: this.o.bucket,
        Key: this.key(key),
        Body: body,
        ...(lock === undefined ? {} : { ObjectLockMode: lock.mode, ObjectLockRetainUntilDate: new Date(Date.now() + lock.days * 86_400_000) }),
      },
    });
    await this.call(() => upload.done(), `upload ${key}`);
    return { bytes };
  }

  async get(key: string): Promise<Readable> {
    const out = await this.call(() => this.client.send(new GetObjectCommand({ Bucket: this.o.bucket, Key: this.key(key) })), `download ${key}`);
    if (!(out.Body instanceof Readable)) throw new AppError('failed', `S3: no body for ${key}`);
    return out.Body;
  }

  async list(): Promise<string[]> {
    const keys: string[] = [];
    const prefix = this.o.prefix === '' ? '' : `${this.o.prefix}/`;
    let token: string | undefined;
    do {
      const page = await this.call(
        () => this.client.send(new ListObjectsV2Command({ Bucket: this.o.bucket, Prefix: prefix, ...(token === undefined ? {} : { ContinuationToken: token }) })),
        'list',
      );
      for (const o of page.Contents ?? []) if (o.Key !== undefined) keys.push(o.Key.slice(prefix.length));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((k) => ({ Key: this.key(k) }));
      await this.call(() => this.client.send(new DeleteObjectsCommand({ Bucket: this.o.bucket, Delete: { Objects: batch, Quiet: true } })), 'delete');
    }
  }

  private key(key: string): string {
    return this.o.prefix === '' ? key : `${this.o.prefix}/${key}`;
  }

  /** The store's own error name and message (never the credentials), as the one error type. */
  private async call<T>(fn: () => Promise<T>, what: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = err.$metadata?.httpStatusCode;
      const code = err.name === 'NoSuchKey' || status === 404 ? 'not-found' : 'unavailable';
      throw new AppError(code, `S3 ${this.location}: ${what} failed: ${err.name ?? 'error'}${err.message === undefined ? '' : ` (${err.message})`}`, { cause: e });
    }
  }
}
