import { AppError } from '../common/app-error.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, publicUrlOf, usageError } from './command-io.ts';
import { FirstSignInInvitations } from './first-sign-in.ts';

const USAGE = `qrlog orgs create --name NAME [--admin-email E] --data-dir DIR [--public-url https://HOST[:PORT]]
  Creates an organization (with a team named "default") and prints it as JSON: {"id", "name",
  "defaultTeamId", …}. With --admin-email it also invites the organization's first admin, linked
  at their first sign-in through the configured provider ("admin": {"id", "email",
  "firstSignIn"}): with the embedded provider a one-time invitation link (7 days) to pass on
  privately, with an external provider (QRLOG_OIDC_ISSUER) none. Further members: \`qrlog orgs
  invite\`, or the API. Recorded in the audit log as done by an operator on the host.`;

export const orgsCreate = command('orgs create', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, name: { type: 'string' }, 'admin-email': { type: 'string' }, 'public-url': { type: 'string' } });
  if (v.name === undefined || v.name.trim() === '') throw usageError('--name NAME is required');
  if (v['admin-email'] !== undefined && v['admin-email'].trim() === '') throw usageError('--admin-email must be an e-mail address');
  const name = v.name;
  const adminEmail = v['admin-email'];
  const publicUrl = publicUrlOf(v['public-url'] ?? io.env.QRLOG_PUBLIC_URL, io.env.QRLOG_PORT);
  const cli = { actor: { kind: 'operator-cli' as const } };
  // Setting up a deployment may start here, before the first `serve`: this command may create the database.
  const services = await openCommandServices(dataDirOf(v, io), io, 'service', true);
  try {
    const tenancy = services.tenancy;
    // The admin's address is checked first, so a taken one leaves no organization without an admin behind.
    if (adminEmail !== undefined && (await tenancy.users.findByEmail(adminEmail)) !== undefined) {
      throw new AppError('conflict', 'this address cannot be invited', { reason: 'email-taken' });
    }
    const { organization, defaultTeam } = await tenancy.tenancy.createOrganization(name, cli);
    let admin: { id: string; email: string; firstSignIn: unknown } | undefined;
    if (adminEmail !== undefined) {
      const invitations = new FirstSignInInvitations(services, io, publicUrl);
      const { member: user } = await tenancy.tenancy.invite(organization.id, { email: adminEmail, role: 'admin' }, cli, invitations, null);
      admin = { id: user.id, email: user.email, firstSignIn: invitations.firstSignIn };
    }
    printJson(io, {
      id: organization.id,
      name: organization.name,
      operatorAccess: organization.operatorAccess,
      createdAt: organization.createdAt.toISOString(),
      defaultTeamId: defaultTeam.id,
      ...(admin === undefined ? {} : { admin }),
    });
    return 0;
  } finally {
    await services.close();
  }
});
