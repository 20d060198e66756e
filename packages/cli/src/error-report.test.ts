import { LinkError } from '@qrlog/link';
import { QrError } from '@qrlog/qr';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CliError } from './cli-error.ts';
import { errorReport } from './error-report.ts';

describe('errorReport', () => {
  it('reports errors of what the user gave in one line, without a stack trace', () => {
    const zod = z.object({ clock: z.number() }).safeParse({ clock: 'soon' }).error;
    for (const e of [new LinkError('auth-failed', 'the link does not authenticate'), new QrError('too-large', 'does not fit'), zod, new CliError('bad', 2)]) {
      const report = errorReport(e);
      expect(report.text).not.toContain('\n');
      expect(report.text).not.toMatch(/unexpected/);
      expect(report.exitCode).toBeGreaterThan(0);
    }
    expect(errorReport(zod).text).toMatch(/^invalid input at clock: /);
    expect(errorReport(new CliError('bad', 2)).exitCode).toBe(2);
  });

  it('keeps the stack trace for bugs', () => {
    const report = errorReport(new TypeError('x is undefined'));
    expect(report.text).toMatch(/^unexpected error: TypeError: x is undefined\n\s+at /);
    expect(report.exitCode).toBe(1);
  });
});
