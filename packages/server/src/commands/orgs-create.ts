import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, usageError } from './command-io.ts';

const USAGE = `qrlog orgs create --name NAME --data-dir DIR
  Creates an organization (with a team named "default") and prints it as JSON: {"id", "name",
  "defaultTeamId", …}. Invite its first admin through the API (POST /api/v1/orgs/ID/members, as
  an operator). Recorded in the audit log as done by an operator on the host.`;

export const orgsCreate = command('orgs create', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, name: { type: 'string' } });
  if (v.name === undefined || v.name.trim() === '') throw usageError('--name NAME is required');
  const name = v.name;
  // Setting up a deployment may start here, before the first `serve`: this command may create the database.
  const services = await openCommandServices(dataDirOf(v, io), io, 'service', true);
  try {
    const { organization, defaultTeam } = await services.tenancy.tenancy.createOrganization(name, { actor: { kind: 'operator-cli' } });
    printJson(io, {
      id: organization.id,
      name: organization.name,
      operatorAccess: organization.operatorAccess,
      createdAt: organization.createdAt.toISOString(),
      defaultTeamId: defaultTeam.id,
    });
    return 0;
  } finally {
    await services.close();
  }
});
