import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activateKekInFile, loadKeyring } from './kek-config.ts';

describe('KEK configuration', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'qrlog-kek-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the default KEK file once, mode 0600, and says so', () => {
    const notices: string[] = [];
    const a = loadKeyring(dir, {}, (m) => notices.push(m));
    const b = loadKeyring(dir, {}, (m) => notices.push(m));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain(join(dir, 'kek.json'));
    expect(statSync(join(dir, 'kek.json')).mode & 0o777).toBe(0o600);
    expect(a.active.key.equals(b.active.key)).toBe(true);
    expect(notices[0]).not.toContain(a.active.key.toString('base64'));
  });

  it('takes the KEK from the environment, hex or base64, with its label', () => {
    const key = randomBytes(32);
    expect(loadKeyring(dir, { kek: key.toString('hex'), kekLabel: 'prod-2025' }).active).toEqual({ label: 'prod-2025', key });
    expect(loadKeyring(dir, { kek: key.toString('base64') }).active.label).toBe('env');
  });

  it('refuses a KEK of the wrong length without echoing it', () => {
    const bad = randomBytes(16).toString('hex');
    expect(() => loadKeyring(dir, { kek: bad })).toThrow(/QRLOG_KEK must be 32 bytes/);
    try {
      loadKeyring(dir, { kek: bad });
    } catch (e) {
      expect((e as Error).message).not.toContain(bad);
    }
  });

  it('reads a keyring file with several labels, and refuses a broken one', () => {
    const file = join(dir, 'keks.json');
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    writeFileSync(file, JSON.stringify({ format: 'qrlog-kek/1', active: 'b', keys: { a: k1.toString('base64'), b: k2.toString('base64') } }));
    const ring = loadKeyring(dir, { kekFile: file });
    expect(ring.active.label).toBe('b');
    expect(ring.find('a')?.key.equals(k1)).toBe(true);
    writeFileSync(file, JSON.stringify({ format: 'qrlog-kek/1', active: 'c', keys: { a: k1.toString('base64') } }));
    expect(() => loadKeyring(dir, { kekFile: file })).toThrow(/active label/);
  });

  it('adds a KEK to the file for rotation, and a running keyring finds it', () => {
    const ring = loadKeyring(dir, {});
    const file = join(dir, 'kek.json');
    expect(activateKekInFile(file, 'local-2')).toBe(true);
    expect(activateKekInFile(file, 'local-2')).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ active: 'local-2' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(ring.find('local-2')).toBeDefined();
    expect(ring.find('local-1')).toBeDefined();
  });
});
