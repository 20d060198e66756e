import { describe, expect, it } from 'vitest';
import { qrlog } from '../support/run-qrlog.ts';

interface Frame {
  url: string;
}

/** A user's bad input ends in one clear line and a non-zero exit; stack traces are for bugs. */
describe('qrlog with a user’s bad input', () => {
  it('accepts a --base-url without its trailing slash and adds it', () => {
    const run = qrlog(['simulate', '--frames', '1', '--json', '--base-url', 'https://host:8443']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect((JSON.parse(run.stdout) as Frame).url).toMatch(/^https:\/\/host:8443\/\d+$/);
  });

  it.each([
    ['a base URL that is not https', ['simulate', '--frames', '1', '--base-url', 'http://host:8443/'], /--base-url/],
    ['a base URL with a query', ['simulate', '--frames', '1', '--base-url', 'https://host/?a=1'], /--base-url/],
    ['a base URL in link pack', ['link', 'pack', '--key', 'k.json', '--csv', 'c.csv', '--channel', 'temperature', '--interval', '60', '--base-url', 'ftp://x/'], /--base-url/],
  ])('refuses %s as a usage error (exit 2), one line and no stack trace', (_name, args, message) => {
    const run = qrlog(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  });
});
