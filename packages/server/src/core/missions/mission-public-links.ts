import { createHash, createHmac, randomBytes } from 'node:crypto';
import { AppError } from '../../common/app-error.ts';
import { addressKey } from '../../common/address-key.ts';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import { missionRepository, type MissionPublicLinkRow } from '../../storage/mission-repository.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { ActingAs } from '../tenancy/tenancy-service.ts';
import { MISSION_AUDIT, recordMissionAct } from './mission-audit.ts';
import { MISSION_ID_PATTERNS, newMissionId } from './mission-ids.ts';

/** 32 random bytes (256 bits) as base64url: 43 characters. */
const TOKEN_BYTES = 32;
export const PUBLIC_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const DEFAULT_LINK_DAYS = 30;
export const MAX_LINK_DAYS = 366;
const DAY = 86_400_000;

export type PublicLinkState = 'active' | 'expired' | 'revoked';

export interface PublicLink {
  id: string;
  missionId: string;
  label: string | null;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  state: PublicLinkState;
  opens: number;
  lastOpenedAt: Date | null;
}

export interface PublicLinkOptions {
  now?: () => Date;
  /** The key source addresses are digested with before they are logged (never stored in the clear). */
  digestKey: () => Promise<Buffer>;
}

/**
 * A consignee's read-only link to one mission: a capability URL. The token is 256 random bits,
 * shown once; only its SHA-256 is stored, so a copy of the database opens no link. Opening one is
 * logged (time and a keyed digest of the source address) and audited.
 */
export class MissionPublicLinks {
  private readonly now: () => Date;

  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly options: PublicLinkOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** A new link; `token` is in the answer only, never stored nor logged. */
  async create(missionId: string, input: { expiresAt?: Date | undefined; label?: string | undefined }, as: ActingAs): Promise<{ link: PublicLink; token: string }> {
    const mission = await missionRepository.findMission(this.database.db, missionId);
    if (mission === undefined) throw new AppError('not-found', 'nothing here');
    const at = this.now().getTime();
    const expiresAt = input.expiresAt?.getTime() ?? at + DEFAULT_LINK_DAYS * DAY;
    if (expiresAt <= at) throw new AppError('invalid-request', 'expiresAt: must be in the future');
    if (expiresAt > at + MAX_LINK_DAYS * DAY) throw new AppError('invalid-request', `expiresAt: at most ${String(MAX_LINK_DAYS)} days ahead`);
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const row: MissionPublicLinkRow = {
      id: newMissionId('link'),
      mission_id: missionId,
      token_hash: tokenHash(token),
      label: input.label ?? null,
      created_at: at,
      created_by: 'id' in as.actor ? `${as.actor.kind}:${as.actor.id}` : `${as.actor.kind}:`,
      expires_at: expiresAt,
      revoked_at: null,
    };
    await this.database.writeTransaction(async (trx) => {
      await missionRepository.insertLink(trx, row);
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.linkCreated, mission.org_id, { kind: 'mission', id: missionId }, { linkId: row.id, expiresAt: new Date(expiresAt).toISOString() });
    });
    return { link: this.linkOf(row, 0, null), token };
  }

  async list(missionId: string): Promise<PublicLink[]> {
    const db = this.database.db;
    const [rows, opens] = await Promise.all([missionRepository.linksOf(db, missionId), missionRepository.openCounts(db, missionId)]);
    const byLink = new Map(opens.map((o) => [o.link_id, o]));
    return rows.map((r) => this.linkOf(r, byLink.get(r.id)?.opens ?? 0, byLink.get(r.id)?.last_opened_at ?? null));
  }

  async revoke(missionId: string, linkId: string, as: ActingAs): Promise<void> {
    const mission = await missionRepository.findMission(this.database.db, missionId);
    if (mission === undefined || !MISSION_ID_PATTERNS.link.test(linkId)) throw new AppError('not-found', 'no such public link');
    await this.database.writeTransaction(async (trx) => {
      if (!(await missionRepository.revokeLink(trx, missionId, linkId, this.now().getTime()))) throw new AppError('not-found', 'no such public link, or revoked already');
      await recordMissionAct(this.audit, trx, as, MISSION_AUDIT.linkRevoked, mission.org_id, { kind: 'mission', id: missionId }, { linkId });
    });
  }

  /**
   * The mission a live token opens, after logging the opening; undefined for a token that is
   * malformed, unknown, expired or revoked (the caller answers all of them alike).
   */
  async open(token: string, sourceAddress: string): Promise<{ missionId: string; linkId: string } | undefined> {
    if (!PUBLIC_TOKEN_PATTERN.test(token)) return undefined;
    const db = this.database.db;
    const link = await missionRepository.findLinkByHash(db, tokenHash(token));
    const at = this.now().getTime();
    if (link === undefined || link.revoked_at !== null || link.expires_at <= at) return undefined;
    const mission = await missionRepository.findMission(db, link.mission_id);
    if (mission === undefined) return undefined;
    const sourceDigest = createHmac('sha256', await this.options.digestKey()).update(`qrlog-mission-link-open\0${addressKey(sourceAddress)}`).digest('base64url').slice(0, 22);
    await this.database.writeTransaction(async (trx) => {
      await missionRepository.recordOpen(trx, { link_id: link.id, mission_id: link.mission_id, opened_at: at, source_digest: sourceDigest });
      await this.audit.record(
        { actor: { kind: 'anonymous' }, action: MISSION_AUDIT.linkOpened, orgId: mission.org_id, target: { kind: 'mission', id: mission.id }, sourceAddress: null, detail: { linkId: link.id, sourceDigest } },
        trx,
      );
    });
    return { missionId: link.mission_id, linkId: link.id };
  }

  private linkOf(r: MissionPublicLinkRow, opens: number, lastOpenedAt: number | null): PublicLink {
    const at = this.now().getTime();
    return {
      id: r.id,
      missionId: r.mission_id,
      label: r.label,
      createdAt: new Date(r.created_at),
      expiresAt: new Date(r.expires_at),
      revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
      state: r.revoked_at !== null ? 'revoked' : r.expires_at <= at ? 'expired' : 'active',
      opens,
      lastOpenedAt: lastOpenedAt === null ? null : new Date(lastOpenedAt),
    };
  }
}

/** What is stored of a token: its SHA-256 (the token has 256 random bits: no salt or stretching needed). */
export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
