import { ID_PATTERN } from '../core/tenancy/tenancy-ids.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, serialOption, usageError } from './command-io.ts';

const USAGE = `qrlog loggers claim --org ORG --serial S [--team T] --data-dir DIR
  Claims a provisioned logger into a team of the organization (default: its "default" team).
  A logger claimed already cannot be claimed again (the message does not say by whom).
  Prints {"serial", "orgId", "teamId", "claimedAt"}.
  This is the operator's claim on the host and needs no proof of possession (no claim code, no
  scan): whoever can run it holds the database and the KEK already. Over the API every claim
  needs proof (POST /api/v1/orgs/ORG/claims with the label's claim code, or a recent scan).
  The logger's claim code is spent by this claim, as by any.`;

export const loggersClaim = command('loggers claim', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, org: { type: 'string' }, serial: { type: 'string' }, team: { type: 'string' } });
  if (v.org === undefined || !ID_PATTERN.test(v.org) || !v.org.startsWith('org_')) throw usageError('--org must be an organization id (org_…)');
  if (v.team !== undefined && (!ID_PATTERN.test(v.team) || !v.team.startsWith('team_'))) throw usageError('--team must be a team id (team_…)');
  const serial = serialOption(v.serial, true) ?? '';
  const orgId = v.org;
  const teamId = v.team;
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    const claim = await services.tenancy.tenancy.claimByOperator(orgId, serial, teamId, { actor: { kind: 'operator-cli' } }, 'operator-cli:');
    printJson(io, { serial: claim.serial, orgId: claim.orgId, teamId: claim.teamId, claimedAt: claim.claimedAt.toISOString() });
    return 0;
  } finally {
    await services.close();
  }
});
