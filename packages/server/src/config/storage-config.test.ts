import { describe, expect, it } from 'vitest';
import { isAppError } from '../common/app-error.ts';
import { loadServerConfig } from './load-server-config.ts';
import { loadStorageConfig } from './storage-config.ts';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (isAppError(e, 'invalid-configuration')) return [...e.details];
    throw e;
  }
  throw new Error('expected an invalid-configuration error');
}

const OWNER = 'postgres://qrlog_owner:owner-secret@db.internal/qrlog';
const SERVICE = 'postgres://qrlog_web:service-secret@db.internal/qrlog';

describe('the PostgreSQL service login in the configuration (ADR 11)', () => {
  it('takes DATABASE_SERVICE_URL and QRLOG_DB_SERVICE_ROLE, for serve and for the operator commands', () => {
    const env = { DATABASE_URL: OWNER, DATABASE_SERVICE_URL: SERVICE, QRLOG_DB_SERVICE_ROLE: 'qrlog_web' };
    expect(loadStorageConfig('/srv/data', env, { creates: false })).toMatchObject({ databaseServiceUrl: SERVICE, databaseServiceRole: 'qrlog_web' });
    const serve = loadServerConfig([], env, '/srv');
    expect(serve.help ? null : serve.config).toMatchObject({ databaseServiceUrl: SERVICE, databaseServiceRole: 'qrlog_web' });
  });

  it('lets the service URL alone select PostgreSQL (no owner login in the running service)', () => {
    expect(loadStorageConfig('/nowhere', { DATABASE_SERVICE_URL: SERVICE }, { creates: false }).databaseServiceUrl).toBe(SERVICE);
  });

  it('refuses a service URL without a usable role, and a role the URL does not log in as, without echoing the password', () => {
    const noUser = problemsOf(() => loadStorageConfig('/srv/data', { DATABASE_URL: OWNER, DATABASE_SERVICE_URL: 'postgres://:pw-secret@db/qrlog' }, { creates: false }));
    expect(noUser.join('\n')).toContain('DATABASE_SERVICE_URL: expected the URL of the service\'s login');
    const mismatch = problemsOf(() =>
      loadStorageConfig('/srv/data', { DATABASE_URL: OWNER, DATABASE_SERVICE_URL: SERVICE, QRLOG_DB_SERVICE_ROLE: 'qrlog_other' }, { creates: false }),
    );
    expect(mismatch).toEqual(['QRLOG_DB_SERVICE_ROLE: must be the user DATABASE_SERVICE_URL logs in as (or leave it unset) (got "qrlog_other")']);
    const badRole = problemsOf(() => loadServerConfig([], { DATABASE_URL: OWNER, QRLOG_DB_SERVICE_ROLE: 'Robert"; drop' }, '/srv'));
    expect(badRole.join('\n')).toContain('QRLOG_DB_SERVICE_ROLE: expected a lower-case SQL identifier');
    for (const text of [noUser, mismatch, badRole].map((p) => p.join('\n'))) {
      expect(text).not.toContain('secret');
    }
  });
});
