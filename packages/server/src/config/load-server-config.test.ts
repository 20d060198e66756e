import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../common/app-error.ts';
import { loadServerConfig } from './load-server-config.ts';

function load(argv: string[], env: Record<string, string> = {}) {
  const r = loadServerConfig(argv, env, '/srv');
  if (r.help) throw new Error('unexpected help');
  return r.config;
}

function problems(argv: string[], env: Record<string, string> = {}): string[] {
  try {
    loadServerConfig(argv, env, '/srv');
  } catch (e) {
    if (isAppError(e, 'invalid-configuration')) return [...e.details];
    throw e;
  }
  throw new Error('expected an invalid-configuration error');
}

describe('loadServerConfig', () => {
  it('has defaults', () => {
    expect(load([])).toMatchObject({
      dataDir: '/srv/data',
      port: 8443,
      httpPort: 8080,
      host: '0.0.0.0',
      trustProxy: false,
      logLevel: 'info',
      maxBatch: 100,
    });
    expect(load([]).databaseUrl).toBeUndefined();
  });

  it('takes flags over environment over defaults', () => {
    const env = { QRLOG_PORT: '9443', QRLOG_HTTP_PORT: '0', QRLOG_DATA_DIR: 'from-env', DATABASE_URL: 'postgres://127.0.0.1/test' };
    const c = load(['--port', '10443', '--data-dir=/var/qrlog', '--trust-proxy'], env);
    expect(c).toMatchObject({ port: 10443, httpPort: 0, dataDir: '/var/qrlog', trustProxy: true, databaseUrl: 'postgres://127.0.0.1/test' });
    expect(load(['--trust-proxy', '10.0.0.0/8, 127.0.0.1']).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(load([], { QRLOG_TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(load(['--public-url', 'https://QR.example:8443/']).publicUrl).toBe('https://qr.example:8443');
  });

  it('lists every problem with the flag and variable to fix, without echoing secrets', () => {
    const p = problems(['--port', 'abc', '--http-port', '70000', '--log-level', 'loud', '--public-url', 'http://qr.example', '--bogus', 'x', '--tls-cert', 'c.pem'], {
      DATABASE_URL: 'mysql://user:hunter2@db/x',
      QRLOG_METRICS_TOKEN: 'short',
    });
    const text = p.join('\n');
    expect(text).toContain('--port / QRLOG_PORT: expected a port number (got "abc")');
    expect(text).toContain('--http-port / QRLOG_HTTP_PORT: expected 0–65535');
    expect(text).toContain('--log-level / QRLOG_LOG_LEVEL');
    expect(text).toContain('--public-url / QRLOG_PUBLIC_URL: expected an https:// URL');
    expect(text).toContain('unknown flag --bogus');
    expect(text).toContain('--tls-key / QRLOG_TLS_KEY: give both --tls-cert and --tls-key, or neither');
    expect(text).toContain('--database-url / DATABASE_URL: expected a postgres:// or postgresql:// URL');
    expect(text).toContain('--metrics-token / QRLOG_METRICS_TOKEN: must be at least 16 characters');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('short');
  });

  it('refuses the same port twice, a bad proxy list and unreadable TLS files', () => {
    expect(problems(['--port', '8443', '--http-port', '8443']).join()).toContain('must differ from the HTTPS port');
    expect(problems(['--trust-proxy', '10.0.0.0/33,nonsense']).join()).toContain('not an address: 10.0.0.0/33, nonsense');
    const dir = mkdtempSync(join(tmpdir(), 'qrlog-config-'));
    writeFileSync(join(dir, 'cert.pem'), 'x');
    expect(problems(['--tls-cert', join(dir, 'cert.pem'), '--tls-key', join(dir, 'missing.pem')])).toEqual([`--tls-key: cannot read ${join(dir, 'missing.pem')}`]);
  });

  it('takes the checkpoint settings: hourly by default, key and directory from the environment only, paths made absolute', () => {
    expect(load([])).toMatchObject({ checkpointInterval: 60 });
    expect(load([]).checkpointKeyFile).toBeUndefined();
    const c = load(['--checkpoint-interval', '15'], { QRLOG_CHECKPOINT_KEY_FILE: 'keys/cp.pem', QRLOG_CHECKPOINT_DIR: '/mnt/offsite/cp' });
    expect(c).toMatchObject({ checkpointInterval: 15, checkpointKeyFile: '/srv/keys/cp.pem', checkpointDir: '/mnt/offsite/cp' });
    expect(load([], { QRLOG_CHECKPOINT_INTERVAL: '0' }).checkpointInterval).toBe(0);
    const p = problems(['--checkpoint-interval', 'hourly'], { QRLOG_CHECKPOINT_KEY: 'seed-hunter2', QRLOG_CHECKPOINT_KEY_FILE: '/k.pem' }).join('\n');
    expect(p).toContain('--checkpoint-interval / QRLOG_CHECKPOINT_INTERVAL: expected a whole number of minutes');
    expect(p).toContain('QRLOG_CHECKPOINT_KEY: give QRLOG_CHECKPOINT_KEY or QRLOG_CHECKPOINT_KEY_FILE, not both');
    expect(p).not.toContain('hunter2');
  });

  it('answers --help', () => {
    expect(loadServerConfig(['--port', '1', '--help'], {}).help).toBe(true);
  });

  it('validates the external provider\'s people settings at start: operators, provisioning rules, machine clients', () => {
    const issuer = { QRLOG_OIDC_ISSUER: 'https://tenant.example/', QRLOG_OIDC_CLIENT_ID: 'web', QRLOG_OIDC_CLIENT_SECRET: 'x'.repeat(32) };
    const org = 'org_0123456789abcdefghjkmnpq';
    const c = load([], {
      ...issuer,
      QRLOG_OIDC_OPERATORS: 'Ops@Example.com, sub:auth0|123, google-oauth2|456',
      QRLOG_OIDC_PROVISIONING: JSON.stringify([{ claim: 'org_id', value: 'org_abc', org, role: 'user' }, { emailDomain: 'Example.com', org, role: 'admin' }]),
      QRLOG_OIDC_MACHINE_CLIENTS: JSON.stringify({ reporting: { org, scopes: ['read'] } }),
      QRLOG_OIDC_REQUIRE_EMAIL_VERIFIED: 'false',
    });
    expect(c.oidcOperators).toEqual({ emails: ['ops@example.com'], subjects: ['auth0|123', 'google-oauth2|456'] });
    expect(c.oidcProvisioning).toEqual([{ claim: 'org_id', value: 'org_abc', org, role: 'user' }, { emailDomain: 'example.com', org, role: 'admin' }]);
    expect(c.oidcMachineClients).toEqual({ reporting: { org, scopes: ['read'] } });
    expect(c.oidcRequireEmailVerified).toBe(false);
    expect(load([], issuer).oidcRequireEmailVerified).toBe(true);

    const bad = problems([], {
      ...issuer,
      QRLOG_OIDC_OPERATORS: 'not an address@',
      QRLOG_OIDC_PROVISIONING: '[{"claim":"org_id","value":"x","org":"acme","role":"owner"}]',
      QRLOG_OIDC_MACHINE_CLIENTS: '{not json',
      QRLOG_OIDC_REQUIRE_EMAIL_VERIFIED: 'maybe',
    });
    expect(bad.join('\n')).toMatch(/--oidc-operators \/ QRLOG_OIDC_OPERATORS: not an e-mail address/);
    expect(bad.join('\n')).toMatch(/--oidc-provisioning \/ QRLOG_OIDC_PROVISIONING: expected \{"claim".* at 0 /);
    expect(bad.join('\n')).toMatch(/--oidc-machine-clients \/ QRLOG_OIDC_MACHINE_CLIENTS: expected JSON/);
    expect(bad.join('\n')).toMatch(/QRLOG_OIDC_REQUIRE_EMAIL_VERIFIED: expected true or false/);
    // They belong to an external provider.
    expect(problems([], { QRLOG_OIDC_MACHINE_CLIENTS: JSON.stringify({ reporting: { org, scopes: ['read'] } }) }).join('\n')).toMatch(/set QRLOG_OIDC_ISSUER too/);
  });
});
