import { ID_PATTERN } from '../core/tenancy/tenancy-ids.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, publicUrlOf, usageError } from './command-io.ts';
import { FirstSignInInvitations } from './first-sign-in.ts';

const USAGE = `qrlog orgs invite --org ORG --email E --role admin|user [--team T]… --data-dir DIR [--public-url https://HOST[:PORT]]
  Invites a member into an organization (and teams of it), linked at their first sign-in through
  the configured provider, and prints {"id", "email", "orgId", "role", "status", "teamIds",
  "firstSignIn"}: with the embedded provider a one-time invitation link (7 days) to pass on
  privately; with an external provider (QRLOG_OIDC_ISSUER) none, the first sign-in there with
  this address, verified by the provider, links the account. Recorded in the audit log.`;

export const orgsInvite = command('orgs invite', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, {
    ...DATA_DIR_OPTION,
    org: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    team: { type: 'string', multiple: true },
    'public-url': { type: 'string' },
  });
  if (v.org === undefined || !ID_PATTERN.test(v.org) || !v.org.startsWith('org_')) throw usageError('--org must be an organization id (org_…)');
  if (v.email === undefined || v.email.trim() === '') throw usageError('--email E is required');
  if (v.role !== 'admin' && v.role !== 'user') throw usageError('--role must be admin or user');
  const teamIds = v.team ?? [];
  for (const t of teamIds) if (!ID_PATTERN.test(t) || !t.startsWith('team_')) throw usageError('--team must be a team id (team_…)');
  const { org: orgId, email, role } = v;
  const publicUrl = publicUrlOf(v['public-url'] ?? io.env.QRLOG_PUBLIC_URL, io.env.QRLOG_PORT);
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    const invitations = new FirstSignInInvitations(services, io, publicUrl);
    const { member: user } = await services.tenancy.tenancy.invite(orgId, { email, role, teamIds }, { actor: { kind: 'operator-cli' } }, invitations, null);
    printJson(io, { id: user.id, email: user.email, orgId, role, status: user.status, teamIds: [...new Set(teamIds)], firstSignIn: invitations.firstSignIn });
    return 0;
  } finally {
    await services.close();
  }
});
