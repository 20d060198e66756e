import { describe, expect, it } from 'vitest';
import { decide, highestScope, policyProblem, standingIn, type AccessRule, type Subject, type Target } from './policy.ts';

const ORG = 'org_aaaaaaaaaaaaaaaaaaaaaaaa';
const OTHER = 'org_bbbbbbbbbbbbbbbbbbbbbbbb';
const TEAM = 'team_aaaaaaaaaaaaaaaaaaaaaaaa';
const TEAM2 = 'team_cccccccccccccccccccccccc';

const user = (role: 'admin' | 'user', teamIds: string[] = [], operator = false): Subject => ({ kind: 'user', userId: 'usr_1', orgId: ORG, role, operator, teamIds: new Set(teamIds) });
const operator: Subject = { kind: 'user', userId: 'usr_op', orgId: null, role: null, operator: true, teamIds: new Set() };
const key = (scope: 'read' | 'write' | 'admin', orgId = ORG): Subject => ({ kind: 'api-key', keyId: 'ak_1', orgId, scope });
const logger = (o: Partial<Target & { kind: 'logger' }> = {}): Target => ({
  kind: 'logger', id: 'AB12', orgId: ORG, operatorAccess: false, ownerTeamId: TEAM, shares: new Map(), ...o,
});
const org = (orgId = ORG, operatorAccess = false, hasActiveAdmin = true): Target => ({ kind: 'organization', id: orgId, orgId, operatorAccess, hasActiveAdmin });
const status = (s: Subject, rule: AccessRule, t?: Target | 'missing') => {
  const d = decide(s, rule, t);
  return d.allow ? 'allow' : d.status;
};

describe('the policy', () => {
  it('asks anonymous callers to sign in, whatever the object', () => {
    expect(status({ kind: 'anonymous' }, { action: 'logger.read', target: 'logger' }, logger())).toBe(401);
    expect(status({ kind: 'anonymous' }, { action: 'logger.read', target: 'logger' }, 'missing')).toBe(401);
    expect(status({ kind: 'anonymous' }, { action: 'self' })).toBe(401);
  });

  it('answers 404 alike for a missing object and another organization\u2019s', () => {
    const rule: AccessRule = { action: 'logger.read', target: 'logger' };
    expect(status(user('admin'), rule, 'missing')).toBe(404);
    expect(status(user('admin'), rule, logger({ orgId: OTHER }))).toBe(404);
    expect(status(key('admin', OTHER), rule, logger())).toBe(404);
    expect(status(user('admin'), { action: 'audit.read', target: 'organization' }, org(OTHER))).toBe(404);
  });

  it('lets users see the loggers of their teams, owned or shared, and admins all of the organization\u2019s', () => {
    const read: AccessRule = { action: 'logger.read', target: 'logger' };
    const write: AccessRule = { action: 'logger.write', target: 'logger' };
    expect(status(user('user', [TEAM]), read, logger())).toBe('allow');
    expect(status(user('user', [TEAM]), write, logger())).toBe('allow');
    expect(status(user('user', [TEAM2]), read, logger())).toBe(404);
    expect(status(user('user', [TEAM2]), read, logger({ shares: new Map([[TEAM2, 'read']]) }))).toBe('allow');
    expect(status(user('user', [TEAM2]), write, logger({ shares: new Map([[TEAM2, 'read']]) }))).toBe(403);
    expect(status(user('user', [TEAM2]), write, logger({ shares: new Map([[TEAM2, 'read-write']]) }))).toBe('allow');
    expect(status(user('admin'), read, logger())).toBe('allow');
    expect(status(user('user', [TEAM]), { action: 'logger.share', target: 'logger' }, logger())).toBe(403);
  });

  it('keeps operators out of readings unless the organization granted it, but lets them manage organizations', () => {
    const read: AccessRule = { action: 'logger.read', target: 'logger' };
    expect(status(operator, read, logger())).toBe(404);
    expect(status(operator, read, logger({ operatorAccess: true }))).toBe('allow');
    expect(status(operator, { action: 'logger.write', target: 'logger' }, logger({ operatorAccess: true }))).toBe(403);
    expect(status(operator, { action: 'org.create' })).toBe('allow');
    // Members only to install an admin where none can sign in: never to slip one of their own in.
    expect(status(operator, { action: 'members.manage', target: 'organization' }, org(ORG, false, false))).toBe('allow');
    expect(status(operator, { action: 'members.manage', target: 'organization' }, org())).toBe(403);
    expect(status(operator, { action: 'members.read', target: 'organization' }, org())).toBe('allow');
    expect(status(operator, { action: 'org.update', target: 'organization' }, org())).toBe(403);
    expect(status(user('admin'), { action: 'org.create' })).toBe(403);
    // An operator who is also a member acts with their role at home, as an operator elsewhere.
    const both = user('user', [], true);
    expect(status(both, { action: 'org.create' })).toBe('allow');
    expect(status(both, { action: 'audit.read', target: 'organization' }, org())).toBe(403);
    expect(status(both, { action: 'audit.read', target: 'organization' }, org(OTHER))).toBe('allow');
  });

  it('orders API key scopes read < write < admin, bounded by the key\u2019s organization', () => {
    expect(highestScope(['read', 'admin'])).toBe('admin');
    expect(highestScope([])).toBeUndefined();
    const write: AccessRule = { action: 'logger.write', target: 'logger' };
    expect(status(key('read'), { action: 'logger.read', target: 'logger' }, logger())).toBe('allow');
    expect(status(key('read'), write, logger())).toBe(403);
    expect(status(key('write'), write, logger())).toBe('allow');
    expect(status(key('write'), { action: 'logger.claim', target: 'organization' }, org())).toBe(403);
    expect(status(key('admin'), { action: 'logger.claim', target: 'organization' }, org())).toBe('allow');
    expect(status(key('admin'), { action: 'api-keys.manage', target: 'organization' }, org())).toBe(403);
    expect(status(key('admin'), { action: 'members.manage', target: 'organization' }, org())).toBe(403);
    expect(status(key('admin'), { action: 'org.update', target: 'organization' }, org())).toBe(403);
    expect(standingIn(key('admin'), OTHER)).toBe('outsider');
  });

  it('refuses to accept a route policy that is missing, unknown or names a parameter the path lacks', () => {
    expect(policyProblem(undefined, '/x')).toMatch(/no policy/);
    expect(policyProblem({ action: 'logger.fly' }, '/x')).toMatch(/unknown policy action/);
    expect(policyProblem({ action: 'logger.read' }, '/x')).toMatch(/needs a target/);
    expect(policyProblem({ action: 'logger.read', target: 'logger' }, '/loggers/:id')).toMatch(/:serial/);
    expect(policyProblem({ action: 'org.create', target: 'organization' }, '/orgs/:orgId')).toMatch(/may not name/);
    expect(policyProblem({ action: 'logger.read', target: 'logger' }, '/loggers/:serial')).toBeUndefined();
    expect(policyProblem('public', '/x')).toBeUndefined();
  });
});
