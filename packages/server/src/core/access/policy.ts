import type { ApiScope, OrgRole, Principal } from './principal.ts';
import type { ShareAccess } from '../../storage/identity-schema.ts';

/**
 * The one place that decides who may do what. A route declares, in `config.policy`, either
 * `'public'` or an action and (optionally) the kind of object its path names; `decide` answers
 * from the request's principal and that object alone. Default deny: an action not granted here
 * to a standing is refused, and a route without a policy cannot even be registered
 * (policy-hook.ts).
 *
 * Answers: 401 for nobody signed in; 404 when the object is missing, belongs to another
 * organization, or is a logger the principal may not see (the same answer for all three, so
 * nothing tells them apart); 403 for a visible object, or no object, when the act is not the
 * principal's to do.
 */

/** What a route does. `area.verb`; the table below says who may. */
export type PolicyAction =
  /** Any signed-in principal, about itself. */
  | 'self'
  /** Operators: the platform's organizations. */
  | 'org.create'
  /** Listing the organizations one can see (operators: all; everyone else: their own). */
  | 'org.list'
  | 'org.read'
  /** Name and the operator-access grant: the organization's own admins only. */
  | 'org.update'
  | 'teams.read'
  | 'teams.manage'
  | 'members.read'
  | 'members.manage'
  /** Listing the loggers one can see (filtered by the same rules as `logger.read`). */
  | 'loggers.list'
  | 'logger.read'
  /** Reading a logger's data out in full (audited). */
  | 'logger.export'
  | 'logger.write'
  | 'logger.share'
  | 'logger.claim'
  /** Moving loggers to another team of the organization (plain users: read-write on each logger, and a member of the new team). */
  | 'loggers.assign'
  | 'security.read'
  | 'audit.read'
  /** Operators: platform-wide security events and audit log. */
  | 'platform.read'
  /** Operators: the platform's attack response (releasing a blocked source or a sign-in backoff). */
  | 'platform.defend'
  | 'api-keys.read'
  | 'api-keys.manage'
  /** Listing the missions one can see (filtered by the same rules as `mission.read`). */
  | 'missions.list'
  /** Making a mission owned by the team the path names (plain users: only a team of theirs). */
  | 'missions.create'
  | 'mission.read'
  /** Changing a mission: its fields, status, logger periods, public links. */
  | 'mission.write'
  | 'mission.share'
  | 'templates.read'
  /** Making and changing templates (plain users: only their teams'; organization-wide ones: admins, checked by the template service). */
  | 'templates.manage'
  /** Listing the alerts one can see (filtered by the same rules as `alert.read`). */
  | 'alerts.list'
  /** An alert, its comments: whoever may read its logger or its mission. */
  | 'alert.read'
  /** Acknowledging, commenting, closing: whoever may write (read-write teams, write keys). */
  | 'alert.act'
  /** A signed-in person's own notification preferences (an API key has none). */
  | 'notifications.preferences'
  /** Ending every session of the signed-in person (sign out everywhere); an API key has no session. */
  | 'sessions.end'
  /** Emergency key export (issue 11): asking for a logger's key; needs the `logger-key.read` grant besides the admin role. */
  | 'logger-key.request'
  /** Downloading an approved key: the `logger-key.read` grant, never implied by any role or scope. */
  | 'logger-key.read'
  /** Seeing key export requests: an organization's admins theirs, operators every one. */
  | 'key-exports.read'
  /** Operators: approving or refusing a key export request. */
  | 'logger-key.decide';

/** Kinds of object a route's path can name, and the path parameter that names each. */
export const TARGET_PARAMS = {
  organization: 'orgId',
  team: 'teamId',
  member: 'userId',
  logger: 'serial',
  'api-key': 'keyId',
  mission: 'missionId',
  'mission-template': 'templateId',
  alert: 'alertId',
} as const;
export type TargetKind = keyof typeof TARGET_PARAMS;

export interface AccessRule {
  action: PolicyAction;
  /** The object the route's path names (by TARGET_PARAMS[target]); absent: no object. */
  target?: TargetKind;
}

export type RoutePolicy = 'public' | AccessRule;

/**
 * Where a principal stands towards one organization. `operator`: platform staff who are not a
 * member of it. `outsider`: signed in, but nothing to do with it.
 */
export type Standing = 'admin' | 'user' | 'key-read' | 'key-write' | 'key-admin' | 'operator' | 'outsider';

const MEMBERS = ['admin', 'user', 'key-read', 'key-write', 'key-admin'] as const satisfies readonly Standing[];
const ORG_ADMINS = ['admin', 'key-admin'] as const satisfies readonly Standing[];

interface ActionRule {
  /** Standings granted the action on an object of the organization (or, with no object, at home). */
  standings: readonly Standing[];
  /** Which targets the action may name ('none': a route without an object). */
  targets: readonly (TargetKind | 'none')[];
  /** Platform operators may do it with no object, whatever their own organization. */
  operatorsWithoutTarget?: boolean;
  /**
   * A permission given to the person on top of the standing, which no role, scope or operator
   * status implies (reading logger keys: `qrlog key-readers grant`). API keys never hold one.
   */
  grant?: UserGrant;
}

/** Permissions given to a user one by one, beside their role. */
export type UserGrant = 'logger-key.read';

/**
 * Who may do what. Operators manage organizations and their teams, and read their members and
 * audit and security logs, but readings only where the organization granted operator access
 * (see `loggerRule`), and members only while the organization has no active admin (to install
 * its first one, or a new one after losing all): otherwise an operator could invite an address
 * of their own as admin and read what the organization did not grant. API keys act within their
 * own organization: read < write < admin; a key never manages keys, members or the operator
 * grant (a leaked key must not be able to entrench itself or open the door to others).
 */
const ACTIONS: Record<PolicyAction, ActionRule> = {
  self: { standings: [...MEMBERS, 'operator', 'outsider'], targets: ['none'] },
  'org.create': { standings: [], targets: ['none'], operatorsWithoutTarget: true },
  'org.list': { standings: [...MEMBERS, 'operator'], targets: ['none'] },
  'org.read': { standings: [...MEMBERS, 'operator'], targets: ['organization'] },
  'org.update': { standings: ['admin'], targets: ['organization'] },
  'teams.read': { standings: [...MEMBERS, 'operator'], targets: ['organization', 'team'] },
  'teams.manage': { standings: [...ORG_ADMINS, 'operator'], targets: ['organization', 'team'] },
  'members.read': { standings: [...ORG_ADMINS, 'operator'], targets: ['organization', 'member'] },
  'members.manage': { standings: ['admin', 'operator'], targets: ['organization', 'member'] },
  'loggers.list': { standings: [...MEMBERS, 'operator'], targets: ['none', 'team'] },
  'logger.read': { standings: [...MEMBERS, 'operator'], targets: ['logger'] },
  'logger.export': { standings: [...MEMBERS, 'operator'], targets: ['logger'] },
  'logger.write': { standings: ['admin', 'user', 'key-write', 'key-admin'], targets: ['logger'] },
  'logger.share': { standings: ORG_ADMINS, targets: ['logger'] },
  'logger.claim': { standings: ORG_ADMINS, targets: ['organization'] },
  'loggers.assign': { standings: [...ORG_ADMINS, 'user'], targets: ['organization'] },
  'security.read': { standings: [...ORG_ADMINS, 'operator'], targets: ['organization'] },
  'audit.read': { standings: [...ORG_ADMINS, 'operator'], targets: ['organization'] },
  'platform.read': { standings: [], targets: ['none'], operatorsWithoutTarget: true },
  'platform.defend': { standings: [], targets: ['none'], operatorsWithoutTarget: true },
  'api-keys.read': { standings: ['admin', 'operator'], targets: ['organization', 'api-key'] },
  'api-keys.manage': { standings: ['admin'], targets: ['organization', 'api-key'] },
  'missions.list': { standings: [...MEMBERS, 'operator'], targets: ['none'] },
  'missions.create': { standings: ['admin', 'user', 'key-write', 'key-admin'], targets: ['team'] },
  'mission.read': { standings: [...MEMBERS, 'operator'], targets: ['mission'] },
  'mission.write': { standings: ['admin', 'user', 'key-write', 'key-admin'], targets: ['mission'] },
  'mission.share': { standings: ORG_ADMINS, targets: ['mission'] },
  'templates.read': { standings: MEMBERS, targets: ['organization', 'mission-template'] },
  'templates.manage': { standings: ['admin', 'user', 'key-write', 'key-admin'], targets: ['organization', 'mission-template'] },
  'alerts.list': { standings: [...MEMBERS], targets: ['none'] },
  'alert.read': { standings: [...MEMBERS, 'operator'], targets: ['alert'] },
  'alert.act': { standings: ['admin', 'user', 'key-write', 'key-admin'], targets: ['alert'] },
  'notifications.preferences': { standings: ['admin', 'user', 'operator', 'outsider'], targets: ['none'] },
  'sessions.end': { standings: ['admin', 'user', 'operator', 'outsider'], targets: ['none'] },
  'logger-key.request': { standings: ['admin'], targets: ['logger'], grant: 'logger-key.read' },
  'logger-key.read': { standings: ['admin'], targets: ['none'], grant: 'logger-key.read' },
  'key-exports.read': { standings: ['admin', 'operator'], targets: ['none'] },
  'logger-key.decide': { standings: [], targets: ['none'], operatorsWithoutTarget: true },
};

/** A user principal as the database knows them now (role changes apply at once). */
export interface SubjectUser {
  userId: string;
  orgId: string | null;
  role: OrgRole | null;
  operator: boolean;
  /** Teams the user belongs to. */
  teamIds: ReadonlySet<string>;
  /** Grants given to this user by name (see ActionRule.grant); absent: none. */
  grants?: ReadonlySet<UserGrant>;
}

/** Who asks, resolved: anonymous, a user as stored now, or an API key of an organization. */
export type Subject =
  | { kind: 'anonymous' }
  | ({ kind: 'user' } & SubjectUser)
  | { kind: 'api-key'; keyId: string; orgId: string; scope: ApiScope };

/** The object a route names, as far as the decision needs it. */
export type Target =
  | {
      kind: 'organization' | 'team' | 'member' | 'api-key';
      id: string;
      orgId: string;
      operatorAccess: boolean;
      /** The organization has an admin who can sign in (operators then keep out of its members). */
      hasActiveAdmin: boolean;
    }
  | {
      /**
       * A logger, a mission or an alert: owned by a team, shared with others of the organization
       * (an alert is seen and acted on as its logger and its mission's team allow; see AccessResolver).
       */
      kind: 'logger' | 'mission' | 'alert';
      id: string;
      orgId: string;
      operatorAccess: boolean;
      ownerTeamId: string;
      /** Other teams of the organization the logger (mission) is shared with. */
      shares: ReadonlyMap<string, ShareAccess>;
    }
  | {
      kind: 'mission-template';
      id: string;
      orgId: string;
      operatorAccess: boolean;
      /** The team the template belongs to; null: organization-wide. */
      teamId: string | null;
    };

/** An object owned by a team and shared with others: a logger, a mission, an alert. */
export type TeamObject = Target & { kind: 'logger' | 'mission' | 'alert' };

export type Decision = { allow: true; standing: Standing } | { allow: false; status: 401 | 403 | 404 };

/** The highest of a key's scopes: read < write < admin. */
export function highestScope(scopes: readonly ApiScope[]): ApiScope | undefined {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('write')) return 'write';
  if (scopes.includes('read')) return 'read';
  return undefined;
}

/** The subject of a principal whose database state is not needed (API keys, anonymous). */
export function subjectOf(principal: Principal, user?: SubjectUser): Subject {
  switch (principal.kind) {
    case 'anonymous':
      return { kind: 'anonymous' };
    case 'api-key': {
      const scope = highestScope(principal.scopes);
      // A key without a known scope may do nothing: treated as no one.
      return scope === undefined ? { kind: 'anonymous' } : { kind: 'api-key', keyId: principal.keyId, orgId: principal.orgId, scope };
    }
    case 'user':
      return user === undefined
        ? { kind: 'user', userId: principal.userId, orgId: principal.orgId, role: principal.role, operator: principal.operator, teamIds: new Set() }
        : { kind: 'user', ...user };
  }
}

/** Where `subject` stands towards organization `orgId` (null: its own, for routes without an object). */
export function standingIn(subject: Subject, orgId: string | null): Standing {
  if (subject.kind === 'anonymous') return 'outsider';
  if (subject.kind === 'api-key') {
    if (orgId !== null && orgId !== subject.orgId) return 'outsider';
    return subject.scope === 'admin' ? 'key-admin' : subject.scope === 'write' ? 'key-write' : 'key-read';
  }
  const home = subject.orgId;
  if (home !== null && subject.role !== null && (orgId === null || orgId === home)) return subject.role;
  return subject.operator ? 'operator' : 'outsider';
}

export function isPublic(policy: RoutePolicy): policy is 'public' {
  return policy === 'public';
}

/** The decision for a route's rule; `target` is undefined for a route without an object, 'missing' when it names none that exists. */
export function decide(subject: Subject, rule: AccessRule, target: Target | 'missing' | undefined): Decision {
  if (subject.kind === 'anonymous') return { allow: false, status: 401 };
  const action = ACTIONS[rule.action];
  if (target === 'missing') return { allow: false, status: 404 };
  if (target === undefined) {
    if (action.operatorsWithoutTarget === true && subject.kind === 'user' && subject.operator) return { allow: true, standing: 'operator' };
    const standing = standingIn(subject, null);
    if (!action.standings.includes(standing)) return { allow: false, status: 403 };
    return hasGrant(subject, action) ? { allow: true, standing } : { allow: false, status: 403 };
  }
  const standing = standingIn(subject, target.orgId);
  if (!canSee(subject, standing, target)) return { allow: false, status: 404 };
  if (!action.standings.includes(standing)) return { allow: false, status: 403 };
  if ((target.kind === 'logger' || target.kind === 'mission' || target.kind === 'alert') && !loggerRule(subject, standing, target, rule.action)) return { allow: false, status: 403 };
  if (target.kind === 'mission-template' && !templateRule(subject, standing, target, rule.action)) return { allow: false, status: 403 };
  // A plain user makes missions for a team of their own only.
  if (target.kind === 'team' && rule.action === 'missions.create' && standing === 'user' && !(subject.kind === 'user' && subject.teamIds.has(target.id))) return { allow: false, status: 403 };
  if ('hasActiveAdmin' in target && standing === 'operator' && rule.action === 'members.manage' && target.hasActiveAdmin) return { allow: false, status: 403 };
  if (!hasGrant(subject, action)) return { allow: false, status: 403 };
  return { allow: true, standing };
}

/** The action's grant, when it has one, is the user's own (never a key's, never implied). */
function hasGrant(subject: Subject, action: ActionRule): boolean {
  if (action.grant === undefined) return true;
  return subject.kind === 'user' && subject.grants?.has(action.grant) === true;
}

/**
 * Whether the object is there at all for this subject. Everything of one's own organization is
 * (its loggers only through teams, for plain users); operators see organizations and their
 * structure, and loggers only where granted; nothing of another organization is.
 */
function canSee(subject: Subject, standing: Standing, target: Target): boolean {
  if (standing === 'outsider') return false;
  if (target.kind === 'mission-template') {
    // Operators see no templates; a plain user sees the organization's and their teams'.
    if (standing === 'operator') return false;
    return standing !== 'user' || target.teamId === null || (subject.kind === 'user' && subject.teamIds.has(target.teamId));
  }
  if (target.kind !== 'logger' && target.kind !== 'mission' && target.kind !== 'alert') return true;
  if (standing === 'operator') return target.operatorAccess;
  if (standing === 'user') return teamAccess(subject, target) !== undefined;
  return true;
}

/** Per-logger (per-mission, per-alert) refinements of a granted action. */
function loggerRule(subject: Subject, standing: Standing, target: TeamObject, action: PolicyAction): boolean {
  if (action !== 'logger.write' && action !== 'mission.write' && action !== 'alert.act') return true;
  // The owning team and read-write shares may write; read shares may not.
  if (standing === 'user') return teamAccess(subject, target) === 'read-write';
  return standing !== 'operator';
}

/** A plain user changes only their teams' templates; organization-wide ones are the admins' (and admin keys'). */
function templateRule(subject: Subject, standing: Standing, target: Target & { kind: 'mission-template' }, action: PolicyAction): boolean {
  if (action !== 'templates.manage') return true;
  if (target.teamId === null) return standing === 'admin' || standing === 'key-admin';
  return standing !== 'user' || (subject.kind === 'user' && subject.teamIds.has(target.teamId));
}

/** Whether `subject` may make a template for `teamId` (null: organization-wide) of its organization: the same rule as changing one. */
export function mayManageTemplateOf(subject: Subject, standing: Standing, teamId: string | null): boolean {
  if (!ACTIONS['templates.manage'].standings.includes(standing)) return false;
  if (teamId === null) return standing === 'admin' || standing === 'key-admin';
  return standing !== 'user' || (subject.kind === 'user' && subject.teamIds.has(teamId));
}

/** What the user's teams give on a logger (or mission): the owner's rights, a share's, or nothing. */
export function teamAccess(subject: Subject, target: TeamObject): ShareAccess | undefined {
  if (subject.kind !== 'user') return undefined;
  if (subject.teamIds.has(target.ownerTeamId)) return 'read-write';
  let best: ShareAccess | undefined;
  for (const [teamId, access] of target.shares) {
    if (!subject.teamIds.has(teamId)) continue;
    if (access === 'read-write') return access;
    best = access;
  }
  return best;
}

/** Checked when a route is registered: the action exists and may name the route's kind of object. */
export function policyProblem(policy: unknown, url: string): string | undefined {
  if (policy === 'public') return undefined;
  if (typeof policy !== 'object' || policy === null) return 'has no policy (config.policy: "public" or { action, target? })';
  const { action, target } = policy as { action?: unknown; target?: unknown };
  if (typeof action !== 'string' || !Object.hasOwn(ACTIONS, action)) return `has an unknown policy action ${JSON.stringify(action)}`;
  const rule = ACTIONS[action as PolicyAction];
  if (target === undefined) return rule.targets.includes('none') ? undefined : `needs a target for ${action}`;
  if (typeof target !== 'string' || !Object.hasOwn(TARGET_PARAMS, target)) return `has an unknown policy target ${JSON.stringify(target)}`;
  const kind = target as TargetKind;
  if (!rule.targets.includes(kind)) return `may not name a ${kind} for ${action}`;
  if (!url.split('/').includes(`:${TARGET_PARAMS[kind]}`)) return `names a ${kind} but its path has no :${TARGET_PARAMS[kind]}`;
  return undefined;
}

/** A stable label of a policy, e.g. `logger.read@logger` or `public`: what the authorization matrix is keyed by. */
export function policyLabel(policy: RoutePolicy): string {
  if (policy === 'public') return 'public';
  return policy.target === undefined ? policy.action : `${policy.action}@${policy.target}`;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route: see access/policy.ts. Required on every route. */
    policy?: RoutePolicy;
  }
}
