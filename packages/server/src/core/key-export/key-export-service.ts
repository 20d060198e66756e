import type { Kysely } from 'kysely';
import { toKeyFile, type KeyFileJson } from '@qrlog/link';
import { AppError } from '../../common/app-error.ts';
import { randomBase32 } from '../../common/random-base32.ts';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import { keyExportRepository, type KeyExportRow } from '../../storage/key-export-repository.ts';
import type { KeyExportStatus } from '../../storage/key-export-schema.ts';
import type { AuditActor, AuditLog } from '../audit/audit-log.ts';

/** How long an approved export may be downloaded (the brief's "e.g. 24 h"). */
export const DEFAULT_KEY_EXPORT_WINDOW_MS = 24 * 3_600_000;

export const KEY_EXPORT_AUDIT = {
  requested: 'key-export.requested',
  approved: 'key-export.approved',
  refused: 'key-export.refused',
  downloaded: 'key-export.downloaded',
  downloadRefused: 'key-export.download-refused',
  readerGranted: 'key-reader.granted',
  readerRevoked: 'key-reader.revoked',
} as const;

/** What people see of a request: `expired` when approved and its window has passed without a download. */
export type KeyExportState = KeyExportStatus | 'expired';

export interface KeyExportInfo {
  id: string;
  orgId: string;
  serial: string;
  requestedBy: string;
  reason: string;
  requestedAt: Date;
  state: KeyExportState;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionComment: string | null;
  expiresAt: Date | null;
  downloadedAt: Date | null;
  keyVersion: number | null;
}

/** Who looks: an organization's admin sees its requests, a platform operator every request. */
export type KeyExportViewer = { kind: 'org'; orgId: string } | { kind: 'operator' };

interface Acting {
  userId: string;
  sourceAddress: string | null;
}

/** Why a download was refused; in the audit record, and the caller's error reason. */
export type DownloadRefusal = 'second-factor' | 'not-approved' | 'expired' | 'downloaded' | 'not-requester';

/**
 * Emergency key export (issue 11): an organization admin holding the `logger-key.read` grant
 * asks for a logger's key with a reason; a platform operator (never the requester) approves or
 * refuses; the requester downloads the key file once within the window, after a fresh second
 * factor checked by the caller. Every step, refusals included, is in the audit log. The key is
 * unwrapped only inside the download's transaction, which also consumes the request.
 */
export class KeyExportService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly keys: LoggerKeyStore,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
    private readonly windowMs: number = DEFAULT_KEY_EXPORT_WINDOW_MS,
  ) {}

  private get db(): Kysely<Database> {
    return this.database.db;
  }

  isKeyReader(userId: string): Promise<boolean> {
    return keyExportRepository.isKeyReader(this.db, userId);
  }

  async request(input: { orgId: string; serial: string; reason: string } & Acting): Promise<KeyExportInfo> {
    const at = this.now().getTime();
    const row: KeyExportRow = {
      id: `kx_${randomBase32(10)}`,
      org_id: input.orgId,
      serial: input.serial,
      requested_by: input.userId,
      reason: input.reason,
      requested_at: at,
      status: 'pending',
      decided_by: null,
      decided_at: null,
      decision_comment: null,
      expires_at: null,
      downloaded_at: null,
      key_version: null,
    };
    await this.database.writeTransaction(async (trx) => {
      await keyExportRepository.insert(trx, row);
      await this.audit.record(
        { actor: user(input.userId), action: KEY_EXPORT_AUDIT.requested, orgId: input.orgId, target: { kind: 'logger', id: input.serial }, sourceAddress: input.sourceAddress, detail: { exportId: row.id, reason: input.reason } },
        trx,
      );
    });
    return this.info(row);
  }

  async list(viewer: KeyExportViewer, options: { status?: KeyExportStatus; limit?: number } = {}): Promise<KeyExportInfo[]> {
    const rows = await keyExportRepository.list(this.db, { orgId: viewer.kind === 'org' ? viewer.orgId : undefined, status: options.status, limit: options.limit ?? 200 });
    return rows.map((r) => this.info(r));
  }

  /** Undefined for a request the viewer may not see (the same as one that does not exist). */
  async get(viewer: KeyExportViewer, id: string): Promise<KeyExportInfo | undefined> {
    const row = await keyExportRepository.find(this.db, id);
    if (row === undefined || (viewer.kind === 'org' && row.org_id !== viewer.orgId)) return undefined;
    return this.info(row);
  }

  approve(id: string, comment: string | null, by: Acting): Promise<KeyExportInfo> {
    return this.decide(id, 'approved', comment, by);
  }

  refuse(id: string, comment: string, by: Acting): Promise<KeyExportInfo> {
    return this.decide(id, 'refused', comment, by);
  }

  private async decide(id: string, status: 'approved' | 'refused', comment: string | null, by: Acting): Promise<KeyExportInfo> {
    const at = this.now().getTime();
    await this.database.writeTransaction(async (trx) => {
      const row = await keyExportRepository.find(trx, id);
      if (row === undefined) throw new AppError('not-found', 'no such key export request');
      // Four eyes: whoever asked for a key cannot also be the one who lets it out.
      if (row.requested_by === by.userId) throw new AppError('forbidden', 'a request is decided by another person than its requester', { reason: 'own-request' });
      const expiresAt = status === 'approved' ? at + this.windowMs : null;
      if (!(await keyExportRepository.decide(trx, id, { status, by: by.userId, at, comment, expiresAt }))) {
        throw new AppError('conflict', `the request is ${row.status} already`, { reason: 'decided' });
      }
      await this.audit.record(
        {
          actor: user(by.userId),
          action: status === 'approved' ? KEY_EXPORT_AUDIT.approved : KEY_EXPORT_AUDIT.refused,
          orgId: row.org_id,
          target: { kind: 'logger', id: row.serial },
          sourceAddress: by.sourceAddress,
          detail: { exportId: id, comment, ...(expiresAt === null ? {} : { expiresAt: new Date(expiresAt).toISOString() }) },
        },
        trx,
      );
    });
    const decided = await keyExportRepository.find(this.db, id);
    if (decided === undefined) throw new AppError('not-found', 'no such key export request');
    return this.info(decided);
  }

  /**
   * The key file, once: only for the requester of an approved request inside its window, and
   * only when `freshFactor` (the caller's check of a second factor given now) passes; it is
   * asked last, so a code is not spent on a request that is refused anyway. Anything else is
   * refused and the refusal recorded. The key never reaches a log or an error.
   */
  async download(viewer: KeyExportViewer & { kind: 'org' }, id: string, freshFactor: () => Promise<boolean>, by: Acting): Promise<KeyFileJson> {
    const at = this.now().getTime();
    const row = await keyExportRepository.find(this.db, id);
    if (row === undefined || row.org_id !== viewer.orgId) throw new AppError('not-found', 'no such key export request');
    const refusal = refusalOf(row, by.userId, at) ?? ((await freshFactor()) ? undefined : 'second-factor');
    if (refusal !== undefined) {
      await this.audit.record({ actor: user(by.userId), action: KEY_EXPORT_AUDIT.downloadRefused, orgId: row.org_id, target: { kind: 'logger', id: row.serial }, sourceAddress: by.sourceAddress, detail: { exportId: id, reason: refusal } });
      throw refusalError(refusal);
    }
    const keyFile = await this.database.writeTransaction(async (trx) => {
      const keyVersion = await keyExportRepository.newestKeyVersion(trx, row.serial);
      if (keyVersion === undefined) throw new AppError('not-found', 'the logger has no key');
      if (!(await keyExportRepository.claimDownload(trx, id, by.userId, at, keyVersion))) throw refusalError('downloaded');
      const found = await this.keys.lookup(row.serial, keyVersion, trx);
      if (found.status !== 'found') throw new AppError('not-found', 'the logger has no key');
      await this.audit.record(
        { actor: user(by.userId), action: KEY_EXPORT_AUDIT.downloaded, orgId: row.org_id, target: { kind: 'logger', id: row.serial }, sourceAddress: by.sourceAddress, detail: { exportId: id, keyVersion } },
        trx,
      );
      return toKeyFile(found.key);
    });
    return keyFile;
  }

  /** `qrlog key-readers grant`: `db` is the owner's connection (the service role cannot give the grant). */
  async grantReader(db: Kysely<Database>, userId: string, orgId: string | null, actor: AuditActor): Promise<boolean> {
    const done = await keyExportRepository.grantReader(db, userId, actor.kind, this.now().getTime());
    if (done) await this.audit.record({ actor, action: KEY_EXPORT_AUDIT.readerGranted, orgId, target: { kind: 'user', id: userId } }, db);
    return done;
  }

  async revokeReader(db: Kysely<Database>, userId: string, orgId: string | null, actor: AuditActor): Promise<boolean> {
    const done = await keyExportRepository.revokeReader(db, userId);
    if (done) await this.audit.record({ actor, action: KEY_EXPORT_AUDIT.readerRevoked, orgId, target: { kind: 'user', id: userId } }, db);
    return done;
  }

  private info(r: KeyExportRow): KeyExportInfo {
    const expired = r.status === 'approved' && r.expires_at !== null && r.expires_at <= this.now().getTime();
    return {
      id: r.id,
      orgId: r.org_id,
      serial: r.serial,
      requestedBy: r.requested_by,
      reason: r.reason,
      requestedAt: new Date(r.requested_at),
      state: expired ? 'expired' : r.status,
      decidedBy: r.decided_by,
      decidedAt: time(r.decided_at),
      decisionComment: r.decision_comment,
      expiresAt: time(r.expires_at),
      downloadedAt: time(r.downloaded_at),
      keyVersion: r.key_version,
    };
  }
}

function refusalOf(row: KeyExportRow, userId: string, at: number): DownloadRefusal | undefined {
  if (row.requested_by !== userId) return 'not-requester';
  if (row.status === 'downloaded') return 'downloaded';
  if (row.status !== 'approved') return 'not-approved';
  if (row.expires_at === null || row.expires_at <= at) return 'expired';
  return undefined;
}

function refusalError(refusal: DownloadRefusal): AppError {
  switch (refusal) {
    case 'second-factor':
      return new AppError('forbidden', 'a fresh second factor is needed for this download', { reason: refusal });
    case 'not-requester':
      return new AppError('forbidden', 'only the admin who asked for this key may download it', { reason: refusal });
    case 'downloaded':
      return new AppError('conflict', 'this key was downloaded already; ask again if it is needed again', { reason: refusal });
    case 'expired':
      return new AppError('conflict', 'the download window of this request has passed; ask again', { reason: refusal });
    case 'not-approved':
      return new AppError('conflict', 'this request has not been approved', { reason: refusal });
  }
}

function user(id: string): AuditActor {
  return { kind: 'user', id };
}

function time(ms: number | null): Date | null {
  return ms === null ? null : new Date(ms);
}
