import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../../storage/database-handle.ts';
import type { Database } from '../../storage/database-schema.ts';
import type { ShareAccess, UserRole } from '../../storage/identity-schema.ts';
import { loggerAccessRepository } from '../../storage/logger-access-repository.ts';
import { oidcPayloadRepository } from '../../storage/oidc-payload-repository.ts';
import { webSessionRepository } from '../../storage/web-session-repository.ts';
import { organizationRepository, type OrganizationRow, type TeamRow } from '../../storage/organization-repository.ts';
import { userRepository } from '../../storage/user-repository.ts';
import { AUDIT_ACTIONS, type AuditActor, type AuditLog } from '../audit/audit-log.ts';
import type { InvitationMailer } from './invitation-mailer.ts';
import { AppError } from '../../common/app-error.ts';
import { teamAccess, type Subject } from '../access/policy.ts';
import { ID_PATTERN, newId } from './tenancy-ids.ts';
import { notClaimable, provenSerial, rememberClaimScan, spendClaimProofs, type ClaimProof } from './claim-proofs.ts';
import { normalizeEmail } from '../../common/email.ts';
import { isEmailTaken, type DirectoryUser, type UserDirectory } from './user-directory.ts';

/** Who acts, and from where: every act below is audited with it. */
export interface ActingAs {
  actor: AuditActor;
  sourceAddress?: string | null;
}

export interface Organization {
  id: string;
  name: string;
  operatorAccess: boolean;
  createdAt: Date;
}

export interface Team {
  id: string;
  orgId: string;
  name: string;
  createdAt: Date;
}

export interface Claim {
  serial: string;
  orgId: string;
  teamId: string;
  claimedAt: Date;
}

/** The team every new organization starts with; claims without a team go there. */
export const DEFAULT_TEAM_NAME = 'default';
const NAME = /^[^\p{Cc}]{1,100}$/u;
/** Bidirectional controls: a name with them can show as something else (U+202E turns "gnp.exe" around). */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Organizations, teams, members, claims and shares: every change in one transaction with its
 * audit record, so no change happens unrecorded.
 */
export class TenancyService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly audit: AuditLog,
    private readonly users: UserDirectory,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** A new organization with its default team. */
  async createOrganization(name: string, as: ActingAs): Promise<{ organization: Organization; defaultTeam: Team }> {
    const clean = checkName(name, 'an organization name');
    const at = this.now().getTime();
    const org: OrganizationRow = { id: newId('org'), name: clean, operator_access: 0, created_at: at };
    const team: TeamRow = { id: newId('team'), org_id: org.id, name: DEFAULT_TEAM_NAME, created_at: at };
    await this.database.writeTransaction(async (trx) => {
      await organizationRepository.insert(trx, org);
      await organizationRepository.insertTeam(trx, team);
      await this.record(trx, as, AUDIT_ACTIONS.orgCreated, org.id, { kind: 'organization', id: org.id }, { name: clean });
    });
    return { organization: toOrganization(org), defaultTeam: toTeam(team) };
  }

  /** Renames, and grants or withdraws operator access (the organization's own admins decide). */
  async updateOrganization(orgId: string, change: { name?: string; operatorAccess?: boolean }, as: ActingAs): Promise<Organization> {
    return this.database.writeTransaction(async (trx) => {
      const org = await organizationRepository.find(trx, orgId);
      if (org === undefined) throw new AppError('not-found', 'no such organization');
      const set: { name?: string; operator_access?: number } = {};
      if (change.name !== undefined) set.name = checkName(change.name, 'an organization name');
      if (change.operatorAccess !== undefined) set.operator_access = change.operatorAccess ? 1 : 0;
      await organizationRepository.update(trx, orgId, set);
      if (set.operator_access !== undefined && set.operator_access !== org.operator_access) {
        await this.record(trx, as, AUDIT_ACTIONS.orgOperatorAccessChanged, orgId, { kind: 'organization', id: orgId }, { operatorAccess: set.operator_access === 1 });
      }
      if (set.name !== undefined && set.name !== org.name) {
        await this.record(trx, as, 'org.renamed', orgId, { kind: 'organization', id: orgId }, { from: org.name, to: set.name });
      }
      return toOrganization({ ...org, ...set });
    });
  }

  async createTeam(orgId: string, name: string, as: ActingAs): Promise<Team> {
    const team: TeamRow = { id: newId('team'), org_id: orgId, name: checkName(name, 'a team name'), created_at: this.now().getTime() };
    await this.database.writeTransaction(async (trx) => {
      if ((await organizationRepository.find(trx, orgId)) === undefined) throw new AppError('not-found', 'no such organization');
      if (!(await organizationRepository.insertTeam(trx, team))) throw new AppError('conflict', 'the organization has a team of that name');
      await this.record(trx, as, AUDIT_ACTIONS.teamCreated, orgId, { kind: 'team', id: team.id }, { name: team.name });
    });
    return toTeam(team);
  }

  /** Puts a member of the team's organization into the team; false when they were in it. */
  async addTeamMember(teamId: string, userId: string, as: ActingAs): Promise<boolean> {
    return this.database.writeTransaction(async (trx) => {
      const team = await this.teamOf(trx, teamId);
      await this.memberOf(trx, team.org_id, userId);
      const added = await organizationRepository.addMember(trx, teamId, userId);
      if (added) await this.record(trx, as, AUDIT_ACTIONS.teamMemberAdded, team.org_id, { kind: 'team', id: teamId }, { userId });
      return added;
    });
  }

  async removeTeamMember(teamId: string, userId: string, as: ActingAs): Promise<void> {
    await this.database.writeTransaction(async (trx) => {
      const team = await this.teamOf(trx, teamId);
      if (!(await organizationRepository.removeMember(trx, teamId, userId))) throw new AppError('not-found', 'no such team member');
      await this.record(trx, as, AUDIT_ACTIONS.teamMemberRemoved, team.org_id, { kind: 'team', id: teamId }, { userId });
    });
  }

  /**
   * Creates an invited user in the organization (and its teams), then asks the mailer to send
   * the invitation. The answer concerns this organization only: an address that is a member here
   * already is a conflict; one that has an account anywhere else (another organization, an
   * operator) gets the same answer as a new one (a member as invited; nothing is created, and its
   * owner is told instead), so no organization learns of another's accounts. `invitationSent`:
   * a message was handed to a mail transport.
   */
  async invite(
    orgId: string,
    input: { email: string; role: UserRole; teamIds?: readonly string[] },
    as: ActingAs,
    mailer: InvitationMailer,
    invitedBy: string | null,
  ): Promise<{ member: DirectoryUser; invitationSent: boolean }> {
    const email = normalizeEmail(input.email);
    if (email === undefined) throw new AppError('invalid-request', 'not an email address');
    const teamIds = [...new Set(input.teamIds ?? [])];
    const invited = await this.database.writeTransaction(async (trx) => {
      const org = await organizationRepository.find(trx, orgId);
      if (org === undefined) throw new AppError('not-found', 'no such organization');
      for (const teamId of teamIds) {
        const team = ID_PATTERN.test(teamId) ? await organizationRepository.findTeam(trx, teamId) : undefined;
        if (team?.org_id !== orgId) throw new AppError('not-found', 'no such team');
      }
      const existing = await this.users.findByEmail(email, trx);
      if (existing?.orgId === orgId) throw new AppError('conflict', 'this address is a member of the organization already', { reason: 'already-member' });
      if (existing !== undefined) {
        // Platform-wide (no organization): the inviting organization's own log must not say it either.
        await this.audit.record(
          { actor: as.actor, action: AUDIT_ACTIONS.memberInvitedElsewhere, orgId: null, target: { kind: 'user', id: existing.id }, sourceAddress: as.sourceAddress ?? null, detail: { orgId, role: input.role } },
          trx,
        );
        return { org, created: undefined };
      }
      // Taken meanwhile (a concurrent invitation): the same conflict as a member of this organization.
      const created: DirectoryUser = await this.users.createInvited(orgId, email, input.role, trx).catch((e: unknown) => {
        if (isEmailTaken(e)) throw new AppError('conflict', 'this address was invited a moment ago', { reason: 'already-member' });
        throw e;
      });
      for (const teamId of teamIds) await organizationRepository.addMember(trx, teamId, created.id);
      await this.record(trx, as, AUDIT_ACTIONS.memberInvited, orgId, { kind: 'user', id: created.id }, { role: input.role, teamIds });
      return { org, created };
    });
    const context = { organizationName: invited.org.name, invitedBy };
    if (invited.created !== undefined) return { member: invited.created, invitationSent: await mailer.sendInvitation(invited.created, context) };
    const invitationSent = await mailer.sendInvitationNotice(email, context);
    // What a new invited member looks like; it exists nowhere (see above).
    const member: DirectoryUser = { id: newId('usr'), email, displayName: null, orgId, role: input.role, operator: false, status: 'invited', provisionedBy: null, createdAt: this.now() };
    return { member, invitationSent };
  }

  /**
   * Sends a pending invitation again: the mailer issues a fresh link, and the earlier one stops
   * working. Only a member who has not accepted yet: an active or removed member has nothing to
   * accept (a conflict). Audited before the mail goes out, like the first invitation.
   */
  async resendInvitation(orgId: string, userId: string, as: ActingAs, mailer: InvitationMailer, invitedBy: string | null): Promise<{ member: DirectoryUser; invitationSent: boolean }> {
    const { org, member } = await this.database.writeTransaction(async (trx) => {
      const org = await organizationRepository.find(trx, orgId);
      if (org === undefined) throw new AppError('not-found', 'no such organization');
      const member = await this.memberOf(trx, orgId, userId);
      if (member.status !== 'invited') throw new AppError('conflict', 'this member has accepted the invitation already', { reason: 'not-invited' });
      await this.record(trx, as, AUDIT_ACTIONS.memberInvitationResent, orgId, { kind: 'user', id: userId }, {});
      return { org, member };
    });
    return { member, invitationSent: await mailer.sendInvitation(member, { organizationName: org.name, invitedBy }) };
  }

  /**
   * A platform operator, 'invited' until their first sign-in links them (through the configured
   * provider: the embedded one by the invitation link, an external one by their verified e-mail).
   */
  async addOperator(email: string, as: ActingAs): Promise<DirectoryUser> {
    const clean = normalizeEmail(email);
    if (clean === undefined) throw new AppError('invalid-request', 'not an email address');
    return this.database.writeTransaction(async (trx) => {
      const user = await this.users.createOperator(clean, trx);
      await this.record(trx, as, AUDIT_ACTIONS.operatorAdded, null, { kind: 'user', id: user.id }, {});
      return user;
    });
  }

  async changeRole(orgId: string, userId: string, role: UserRole, as: ActingAs): Promise<DirectoryUser> {
    return this.database.writeTransaction(async (trx) => {
      const user = await this.memberOf(trx, orgId, userId);
      if (user.role === role) return user;
      if (user.role === 'admin' && user.status === 'active') await this.keepAnAdmin(trx, orgId);
      await userRepository.setRole(trx, userId, orgId, role);
      await this.record(trx, as, AUDIT_ACTIONS.memberRoleChanged, orgId, { kind: 'user', id: userId }, { from: user.role, to: role });
      return { ...user, role };
    });
  }

  /**
   * Takes a member out of the organization (and its teams); their account stays, disabled. Their
   * sessions end with it: the web app's, and the embedded provider's (which would otherwise
   * outlive the user and sign a browser in again).
   */
  async removeMember(orgId: string, userId: string, as: ActingAs): Promise<void> {
    await this.database.writeTransaction(async (trx) => {
      const user = await this.memberOf(trx, orgId, userId);
      if (user.role === 'admin' && user.status === 'active') await this.keepAnAdmin(trx, orgId);
      await userRepository.removeFromOrg(trx, userId, orgId);
      await webSessionRepository.deleteForUser(trx, userId);
      await oidcPayloadRepository.deleteForAccount(trx, userId);
      await this.record(trx, as, AUDIT_ACTIONS.memberRemoved, orgId, { kind: 'user', id: userId }, { role: user.role });
    });
  }

  /**
   * Claims a logger into a team of the organization (default: its default team) with proof of
   * possession (a claim code, or a recent scan by the claiming user; see claim-proofs.ts). Every
   * refusal that concerns the logger is the one `notClaimable` answer: unknown, claimed already,
   * wrong code and no proof look the same.
   */
  async claimWithProof(orgId: string, proof: ClaimProof, teamId: string | undefined, as: ActingAs, claimedBy: string): Promise<Claim> {
    return this.database.writeTransaction(async (trx) => {
      const team = await this.claimTeam(trx, orgId, teamId);
      const now = this.now().getTime();
      const serial = await provenSerial(trx, proof, now);
      if (serial === undefined || !(await this.database.lockLogger(trx, serial))) throw notClaimable();
      if (!(await loggerAccessRepository.insertClaim(trx, { serial, team_id: team.id, claimed_at: now, claimed_by: claimedBy }))) throw notClaimable();
      await spendClaimProofs(trx, serial, now);
      await this.record(trx, as, AUDIT_ACTIONS.loggerClaimed, orgId, { kind: 'logger', id: serial }, { teamId: team.id, proof: proof.kind === 'code' ? 'claim-code' : 'scan' });
      return { serial, orgId, teamId: team.id, claimedAt: new Date(now) };
    });
  }

  /**
   * The operator's claim on the host (`qrlog loggers claim`), without proof of possession: whoever
   * runs it holds the database and the KEK already, so a proof would keep out nobody. Never
   * reachable over the network. It spends the logger's claim code like any claim.
   */
  async claimByOperator(orgId: string, serial: string, teamId: string | undefined, as: ActingAs, claimedBy: string): Promise<Claim> {
    return this.database.writeTransaction(async (trx) => {
      const team = await this.claimTeam(trx, orgId, teamId);
      // Serialize claims of one logger (PostgreSQL row lock; SQLite holds the write lock).
      if (!(await this.database.lockLogger(trx, serial))) throw new AppError('not-found', 'no such logger');
      const at = this.now().getTime();
      if (!(await loggerAccessRepository.insertClaim(trx, { serial, team_id: team.id, claimed_at: at, claimed_by: claimedBy }))) {
        throw new AppError('conflict', 'this logger has been claimed already');
      }
      await spendClaimProofs(trx, serial, at);
      await this.record(trx, as, AUDIT_ACTIONS.loggerClaimed, orgId, { kind: 'logger', id: serial }, { teamId: team.id, proof: 'operator' });
      return { serial, orgId, teamId: team.id, claimedAt: new Date(at) };
    });
  }

  /**
   * Remembers a signed-in admin's scan of a logger nobody has claimed, so that they may claim it
   * in the next minutes (`claimWithProof` with the scan). Nothing for a claimed logger.
   */
  async rememberClaimScan(scan: { scanId: string; serial: string; userId: string; scannedAt: Date; newestReadingAt: Date }): Promise<void> {
    await this.database.writeTransaction(async (trx) => {
      if ((await loggerAccessRepository.claimOf(trx, scan.serial)) !== undefined) return;
      await rememberClaimScan(trx, { ...scan, scannedAt: scan.scannedAt.getTime(), newestReadingAt: scan.newestReadingAt.getTime() });
    });
  }

  /** Whether `claimWithProof` would accept this scan as proof now (the scan page offers the claim then). */
  async scanProvesClaim(scanId: string, userId: string): Promise<boolean> {
    return (await provenSerial(this.database.db, { kind: 'scan', scanId, userId }, this.now().getTime())) !== undefined;
  }

  /** The team a claim goes to: the named one of the organization, else its default team. */
  private async claimTeam(trx: Kysely<Database>, orgId: string, teamId: string | undefined): Promise<TeamRow> {
    if ((await organizationRepository.find(trx, orgId)) === undefined) throw new AppError('not-found', 'no such organization');
    if (teamId === undefined) {
      const team = await organizationRepository.findTeamByName(trx, orgId, DEFAULT_TEAM_NAME);
      if (team === undefined) throw new AppError('invalid-request', 'the organization has no default team: name a team');
      return team;
    }
    const team = ID_PATTERN.test(teamId) ? await organizationRepository.findTeam(trx, teamId) : undefined;
    if (team?.org_id !== orgId) throw new AppError('not-found', 'no such team');
    return team;
  }

  /** Shares a logger with another team of its organization; the owning team needs no share. */
  async putShare(serial: string, teamId: string, access: ShareAccess, as: ActingAs): Promise<void> {
    await this.database.writeTransaction(async (trx) => {
      const claim = await this.claimOf(trx, serial);
      const team = ID_PATTERN.test(teamId) ? await organizationRepository.findTeam(trx, teamId) : undefined;
      if (team?.org_id !== claim.org_id) throw new AppError('not-found', 'no such team');
      if (team.id === claim.team_id) throw new AppError('conflict', 'the owning team always has full access');
      if (await loggerAccessRepository.putShare(trx, serial, teamId, access, this.now().getTime())) {
        await this.record(trx, as, AUDIT_ACTIONS.shareGranted, claim.org_id, { kind: 'logger', id: serial }, { teamId, access });
      }
    });
  }

  async deleteShare(serial: string, teamId: string, as: ActingAs): Promise<void> {
    await this.database.writeTransaction(async (trx) => {
      const claim = await this.claimOf(trx, serial);
      if (!(await loggerAccessRepository.deleteShare(trx, serial, teamId))) throw new AppError('not-found', 'no such share');
      await this.record(trx, as, AUDIT_ACTIONS.shareRevoked, claim.org_id, { kind: 'logger', id: serial }, { teamId });
    });
  }

  /**
   * Moves loggers of `orgId` to its team `teamId`, all or none, each move audited. Org admins
   * (and admin keys) move any; a plain user only loggers they may write (owning team or a
   * read-write share) and only into a team they belong to. Loggers already there stay as they are.
   */
  async assignToTeam(orgId: string, serials: readonly string[], teamId: string, subject: Subject, as: ActingAs): Promise<{ moved: string[] }> {
    const unique = [...new Set(serials)];
    return this.database.writeTransaction(async (trx) => {
      const team = ID_PATTERN.test(teamId) ? await organizationRepository.findTeam(trx, teamId) : undefined;
      if (team?.org_id !== orgId) throw new AppError('not-found', 'no such team');
      const plainUser = subject.kind === 'user' && subject.role === 'user' ? subject : undefined;
      if (plainUser !== undefined && !plainUser.teamIds.has(teamId)) throw new AppError('forbidden', 'you can move loggers only into a team you belong to');
      const { claims, shares } = await loggerAccessRepository.claimsWithShares(trx, unique);
      const claimOf = new Map(claims.filter((c) => c.org_id === orgId).map((c) => [c.serial, c]));
      const unknown = unique.filter((serial) => !claimOf.has(serial));
      if (unknown.length > 0) throw new AppError('not-found', `no such logger: ${unknown.join(', ')}`);
      if (plainUser !== undefined) {
        const readOnly = unique.filter((serial) => {
          const claim = claimOf.get(serial);
          if (claim === undefined) return true;
          const sharesOf = new Map(shares.filter((sh) => sh.serial === serial).map((sh) => [sh.team_id, sh.access]));
          return teamAccess(plainUser, { kind: 'logger', id: serial, orgId, operatorAccess: false, ownerTeamId: claim.team_id, shares: sharesOf }) !== 'read-write';
        });
        if (readOnly.length > 0) throw new AppError('forbidden', `you may not change these loggers: ${readOnly.join(', ')}`);
      }
      const moving = unique.filter((serial) => claimOf.get(serial)?.team_id !== teamId);
      await loggerAccessRepository.moveToTeam(trx, moving, teamId);
      for (const serial of moving) {
        await this.record(trx, as, AUDIT_ACTIONS.loggerTeamAssigned, orgId, { kind: 'logger', id: serial }, { fromTeamId: claimOf.get(serial)?.team_id, toTeamId: teamId });
      }
      return { moved: moving };
    });
  }

  private async claimOf(db: Kysely<Database>, serial: string) {
    const claim = await loggerAccessRepository.claimOf(db, serial);
    if (claim === undefined) throw new AppError('not-found', 'no such logger');
    return claim;
  }

  private async teamOf(db: Kysely<Database>, teamId: string) {
    const team = ID_PATTERN.test(teamId) ? await organizationRepository.findTeam(db, teamId) : undefined;
    if (team === undefined) throw new AppError('not-found', 'no such team');
    return team;
  }

  private async memberOf(db: Kysely<Database>, orgId: string, userId: string): Promise<DirectoryUser> {
    const user = ID_PATTERN.test(userId) ? await this.users.findById(userId, db) : undefined;
    if (user?.orgId !== orgId) throw new AppError('not-found', 'no such member');
    return user;
  }

  /** An organization must keep an admin who can sign in: refuses to demote or remove the last active one. */
  private async keepAnAdmin(db: Kysely<Database>, orgId: string): Promise<void> {
    if ((await userRepository.countActiveAdmins(db, orgId)) <= 1) throw new AppError('conflict', 'the organization would have no admin left');
  }

  private async record(db: Kysely<Database>, as: ActingAs, action: string, orgId: string | null, target: { kind: string; id: string }, detail: Record<string, unknown>): Promise<void> {
    await this.audit.record({ actor: as.actor, action, target, orgId, sourceAddress: as.sourceAddress ?? null, detail }, db);
  }

  /** Whether some team (of any organization) owns the logger. */
  async isClaimed(serial: string): Promise<boolean> {
    return (await loggerAccessRepository.claimOf(this.database.db, serial)) !== undefined;
  }
}

function checkName(name: string, what: string): string {
  const clean = name.trim();
  if (!NAME.test(clean) || BIDI_CONTROLS.test(clean)) {
    throw new AppError('invalid-request', `${what} is 1 to 100 characters, without control or text-direction characters`);
  }
  return clean;
}

export function toOrganization(r: OrganizationRow): Organization {
  return { id: r.id, name: r.name, operatorAccess: r.operator_access === 1, createdAt: new Date(r.created_at) };
}

export function toTeam(r: TeamRow): Team {
  return { id: r.id, orgId: r.org_id, name: r.name, createdAt: new Date(r.created_at) };
}
