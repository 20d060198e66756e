import { describe, expect, it } from 'vitest';
import { qrlog } from '../support/run-qrlog.ts';

const GROUPS: [group: string, subcommands: string[]][] = [
  ['orgs', ['create', 'invite']],
  ['loggers', ['provision', 'claim', 'coverage', 'rotate-kek']],
  ['readings', ['export', 'rebuild']],
  ['api-keys', ['create']],
  ['operators', ['setup-link', 'add']],
  ['link', ['pack', 'open']],
];

describe('qrlog <group>', () => {
  it.each(GROUPS)('`qrlog %s --help` lists its subcommands', (group, subcommands) => {
    const run = qrlog([group, '--help']);
    expect(run.status).toBe(0);
    for (const sub of subcommands) expect(run.stdout).toContain(`qrlog ${group} ${sub}`);
    expect(run.stdout).not.toMatch(/unknown command/);
  });

  it('`qrlog loggers` alone lists the subcommands too (exit 2, like `qrlog` alone)', () => {
    const run = qrlog(['loggers']);
    expect(run.status).toBe(2);
    expect(run.stdout).toContain('qrlog loggers provision');
  });

  it('an unknown subcommand names itself and lists the group’s subcommands', () => {
    const run = qrlog(['orgs', 'delete']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('unknown command "orgs delete"');
    expect(run.stderr).toContain('qrlog orgs create');
  });
});
