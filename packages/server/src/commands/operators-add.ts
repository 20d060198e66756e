import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, publicUrlOf, usageError } from './command-io.ts';
import { FirstSignInInvitations } from './first-sign-in.ts';

const USAGE = `qrlog operators add --email E --data-dir DIR [--public-url https://HOST[:PORT]]
  Adds a platform operator, linked at their first sign-in through the configured provider, and
  prints {"id", "email", "operator", "status", "firstSignIn"}. With the embedded provider,
  firstSignIn holds a one-time invitation link (7 days; it sets a password and an authenticator):
  pass it on privately. With an external provider (QRLOG_OIDC_ISSUER set) there is no link: the
  operator's first sign-in there with this address, verified by the provider, links the account.
  May run before the first \`qrlog serve\` (it creates the database). Recorded in the audit log.`;

export const operatorsAdd = command('operators add', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, email: { type: 'string' }, 'public-url': { type: 'string' } });
  if (v.email === undefined || v.email.trim() === '') throw usageError('--email E is required');
  const email = v.email;
  const publicUrl = publicUrlOf(v['public-url'] ?? io.env.QRLOG_PUBLIC_URL, io.env.QRLOG_PORT);
  const services = await openCommandServices(dataDirOf(v, io), io, 'service', true);
  try {
    const user = await services.tenancy.tenancy.addOperator(email, { actor: { kind: 'operator-cli' } });
    const invitations = new FirstSignInInvitations(services, io, publicUrl);
    await invitations.sendInvitation(user);
    printJson(io, { id: user.id, email: user.email, operator: true, status: user.status, firstSignIn: invitations.firstSignIn });
    return 0;
  } finally {
    await services.close();
  }
});
