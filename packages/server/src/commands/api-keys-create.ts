import type { ApiScope } from '../core/access/principal.ts';
import { API_SCOPES } from '../core/api-keys/api-key-service.ts';
import { ID_PATTERN } from '../core/tenancy/tenancy-ids.ts';
import { command, DATA_DIR_OPTION, dataDirOf, openCommandServices, parseCommandArgs, printJson, usageError } from './command-io.ts';

const USAGE = `qrlog api-keys create --org ORG --scope read|write|admin [--name NAME] [--expires ISO-TIME] --data-dir DIR
  Creates an API key of the organization and prints {"id", "secret", "orgId", "scopes", …}.
  The secret is shown this once and stored only as a keyed digest: keep it now. Exchange id and
  secret for an access token at POST /api/v1/auth/token.`;

export const apiKeysCreate = command('api-keys create', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, { ...DATA_DIR_OPTION, org: { type: 'string' }, scope: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' } });
  if (v.org === undefined || !ID_PATTERN.test(v.org) || !v.org.startsWith('org_')) throw usageError('--org must be an organization id (org_…)');
  if (v.scope === undefined || !(API_SCOPES as readonly string[]).includes(v.scope)) throw usageError('--scope must be read, write or admin');
  let expiresAt: Date | null = null;
  if (v.expires !== undefined) {
    const ms = Date.parse(v.expires);
    if (!/^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:\d{2})$/.test(v.expires) || Number.isNaN(ms)) throw usageError('--expires must be an ISO 8601 time with a zone');
    expiresAt = new Date(ms);
  }
  const orgId = v.org;
  const scope = v.scope as ApiScope;
  const services = await openCommandServices(dataDirOf(v, io), io);
  try {
    const key = await services.tenancy.apiKeys
      .create({ orgId, scopes: [scope], name: v.name ?? null, expiresAt, actor: { kind: 'operator-cli' } })
      ;
    printJson(io, {
      id: key.id,
      secret: key.secret,
      orgId: key.orgId,
      name: key.name,
      scopes: key.scopes,
      createdAt: key.createdAt.toISOString(),
      expiresAt: key.expiresAt === null ? null : key.expiresAt.toISOString(),
    });
    return 0;
  } finally {
    await services.close();
  }
});
