import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_KINDS, type TestDatabase } from '../../testing/test-database.ts';
import { openTestServices } from '../../testing/test-services.ts';
import type { Services } from '../../app/open-services.ts';

const CLI = { actor: { kind: 'operator-cli' as const } };

describe.each(TEST_DATABASE_KINDS)('names of organizations and teams on %s', (kind) => {
  let t: TestDatabase;
  let services: Services;
  beforeEach(async () => {
    t = await createTestDatabase(kind);
    services = await openTestServices(t);
  });
  afterEach(async () => {
    await services.close();
    await t.cleanup();
  });

  it('refuses control and text-direction characters, which make a name show as something else', async () => {
    const tenancy = services.tenancy.tenancy;
    // U+202E (right-to-left override) shows "Acme invoice\u202Efdp.exe" as "Acme invoiceexe.pdf".
    for (const name of ['Acme invoice\u202Efdp.exe', 'Acme\u2066 Ltd', 'Acme\u200F', 'Acme\u0007', 'Acme\nLtd']) {
      await expect(tenancy.createOrganization(name, CLI)).rejects.toMatchObject({ code: 'invalid-request' });
    }
    const { organization } = await tenancy.createOrganization('Kühlkette Süd 🚚', CLI);
    expect(organization.name).toBe('Kühlkette Süd 🚚');
    await expect(tenancy.createTeam(organization.id, 'Night\u202Eshift', CLI)).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(tenancy.updateOrganization(organization.id, { name: 'Evil\u202Dname' }, CLI)).rejects.toMatchObject({ code: 'invalid-request' });
  });
});
