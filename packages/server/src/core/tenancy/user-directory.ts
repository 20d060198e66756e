import { AppError, isAppError } from '../../common/app-error.ts';
import { normalizeEmail } from '../../common/email.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import type { ProvisionedBy, UserRole, UserStatus } from '../../storage/identity-schema.ts';
import { userRepository, type UserRow } from '../../storage/user-repository.ts';
import { newId } from './tenancy-ids.ts';

/** A user as the rest of the service sees them. */
export interface DirectoryUser {
  id: string;
  /** Lower-case. */
  email: string;
  displayName: string | null;
  orgId: string | null;
  role: UserRole | null;
  operator: boolean;
  status: UserStatus;
  createdAt: Date;
  /** Placed by an external provider's claims or the operators setting (their access follows those); null otherwise. */
  provisionedBy: ProvisionedBy | null;
}

/** Whether an error says that an e-mail address has an account already. */
export function isEmailTaken(e: unknown): boolean {
  return isAppError(e, 'conflict') && e.reason === 'email-taken';
}


/**
 * Users: who they are, which identity-provider subjects are theirs, their organization and role.
 * The authentication helpers find users here; the members API creates invited ones.
 */
export class UserDirectory {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async findById(id: string, db: Kysely<Database> = this.db): Promise<DirectoryUser | undefined> {
    return toUser(await userRepository.findById(db, id));
  }

  async findByEmail(email: string, db: Kysely<Database> = this.db): Promise<DirectoryUser | undefined> {
    const e = normalizeEmail(email);
    return e === undefined ? undefined : toUser(await userRepository.findByEmail(db, e));
  }

  async findByIdentity(issuer: string, subject: string): Promise<DirectoryUser | undefined> {
    return toUser(await userRepository.findByIdentity(this.db, issuer, subject));
  }

  /** Links an OIDC (iss, sub) to a user; false when that pair is already linked. */
  linkIdentity(issuer: string, subject: string, userId: string): Promise<boolean> {
    return userRepository.linkIdentity(this.db, issuer, subject, userId, this.now().getTime());
  }

  /**
   * A new user with status 'invited' in `orgId`. Throws AppError `conflict` (reason `email-taken`) when the address
   * belongs to someone already (in any organization: the message does not say where).
   */
  async createInvited(orgId: string, email: string, role: UserRole, db: Kysely<Database> = this.db): Promise<DirectoryUser> {
    return this.create(db, { email, orgId, role, operator: false, status: 'invited' });
  }

  /** A platform operator outside any organization, 'invited' until their first sign-in completes setup. */
  async createOperator(email: string, db: Kysely<Database> = this.db): Promise<DirectoryUser> {
    return this.create(db, { email, orgId: null, role: null, operator: true, status: 'invited' });
  }

  /**
   * An active user placed by an external provider at their first sign-in: in `orgId` with `role`
   * (a provisioning rule), or a platform operator (the operators setting). Throws AppError
   * `conflict` (`email-taken`) when the address belongs to someone already.
   */
  async createProvisioned(email: string, placement: { orgId: string | null; role: UserRole | null; operator: boolean; provisionedBy: ProvisionedBy }, displayName: string | null): Promise<DirectoryUser> {
    return this.create(this.db, { email, orgId: placement.orgId, role: placement.role, operator: placement.operator, status: 'active', provisionedBy: placement.provisionedBy, displayName });
  }

  /** Moves a user to where the provider's claims or the configuration now place them. */
  setPlacement(userId: string, placement: { orgId: string | null; role: UserRole | null; operator: boolean; provisionedBy: ProvisionedBy | null }): Promise<void> {
    return userRepository.setPlacement(this.db, userId, placement);
  }

  /** Whether the user has a subject of `issuer` linked already. */
  hasIdentityAt(userId: string, issuer: string): Promise<boolean> {
    return userRepository.hasIdentityAt(this.db, userId, issuer);
  }

  /** The name the provider knows the user by (its `name` claim), shown instead of the address. */
  setDisplayName(userId: string, name: string): Promise<void> {
    return userRepository.setDisplayName(this.db, userId, name);
  }

  /** invited → active (the account was set up); false when the user was not invited. */
  activate(userId: string): Promise<boolean> {
    return userRepository.setStatus(this.db, userId, 'invited', 'active');
  }

  private async create(
    db: Kysely<Database>,
    u: { email: string; orgId: string | null; role: UserRole | null; operator: boolean; status: UserStatus; provisionedBy?: ProvisionedBy; displayName?: string | null },
  ): Promise<DirectoryUser> {
    const email = normalizeEmail(u.email);
    if (email === undefined) throw new RangeError('not an email address');
    const row: UserRow = {
      id: newId('usr'),
      email,
      display_name: u.displayName ?? null,
      org_id: u.orgId,
      role: u.role,
      operator: u.operator ? 1 : 0,
      status: u.status,
      created_at: this.now().getTime(),
      provisioned_by: u.provisionedBy ?? null,
    };
    if (!(await userRepository.insert(db, row))) throw new AppError('conflict', 'this address cannot be invited', { reason: 'email-taken' });
    return toUserRow(row);
  }
}

export function toUserRow(r: UserRow): DirectoryUser {
  return {
    id: r.id,
    email: r.email,
    displayName: r.display_name,
    orgId: r.org_id,
    role: r.role,
    operator: r.operator === 1,
    status: r.status,
    createdAt: new Date(r.created_at),
    provisionedBy: r.provisioned_by,
  };
}

function toUser(r: UserRow | undefined): DirectoryUser | undefined {
  return r === undefined ? undefined : toUserRow(r);
}
