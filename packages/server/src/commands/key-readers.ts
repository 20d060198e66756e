import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, usageError, type ServerCommand } from './command-io.ts';

const USAGE = (verb: 'grant' | 'revoke') => `qrlog key-readers ${verb} --email E --data-dir DIR
  ${verb === 'grant' ? 'Gives' : 'Takes back from'} an organization admin the logger-key.read permission: asking for a
  logger's key in an emergency and downloading it once a platform operator approved (docs/operations.md,
  "Emergency key export"). No role implies it. Runs as the database owner (on PostgreSQL the service
  role may read the grants, never give them). Recorded in the audit log. Prints {"userId", "email", "keyReader"}.`;

function keyReaders(verb: 'grant' | 'revoke'): ServerCommand {
  return command(`key-readers ${verb}`, USAGE(verb), async (argv, io) => {
    const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, email: { type: 'string' } });
    if (v.email === undefined || v.email.trim() === '') throw usageError('--email E is required');
    const services = await openCommandServices(dataDirOf(v, io), io, 'owner');
    try {
      const user = await services.tenancy.users.findByEmail(v.email);
      if (user === undefined) throw usageError(`no user with the address ${v.email}`);
      if (verb === 'grant' && (user.role !== 'admin' || user.orgId === null)) throw usageError(`${v.email} is not an organization admin: only admins may hold logger-key.read`);
      const keyExports = services.tenancy.keyExports;
      const actor = { kind: 'operator-cli' as const };
      if (verb === 'grant') await keyExports.grantReader(services.database.db, user.id, user.orgId, actor);
      else await keyExports.revokeReader(services.database.db, user.id, user.orgId, actor);
      printJson(io, { userId: user.id, email: user.email, keyReader: verb === 'grant' });
      return 0;
    } finally {
      await services.close();
    }
  });
}

export const keyReadersGrant = keyReaders('grant');
export const keyReadersRevoke = keyReaders('revoke');
