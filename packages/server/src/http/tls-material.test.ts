import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { certificateNames, loadTlsMaterial } from './tls-material.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'qrlog-tls-'));
  dirs.push(d);
  return d;
}

describe('loadTlsMaterial', () => {
  it('makes a self-signed certificate on first start and reuses it afterwards', async () => {
    const dataDir = tempDir();
    const names = certificateNames('127.0.0.1', 'https://qr.example');
    const first = await loadTlsMaterial({ dataDir, names });
    expect(first.origin).toBe('self-signed-created');
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const cert = new X509Certificate(readFileSync(join(dataDir, 'tls', 'cert.pem')));
    expect(cert.fingerprint256).toBe(first.fingerprint256);
    expect(cert.checkHost('qr.example')).toBe('qr.example');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkHost('other.example')).toBeUndefined();
    expect(statSync(join(dataDir, 'tls', 'key.pem')).mode & 0o077).toBe(0);

    const second = await loadTlsMaterial({ dataDir, names });
    expect(second.origin).toBe('self-signed-reused');
    expect(second.fingerprint256).toBe(first.fingerprint256);
  });

  it('makes a new one when the names change or it expired', async () => {
    const dataDir = tempDir();
    const first = await loadTlsMaterial({ dataDir, names: ['localhost'] });
    const renamed = await loadTlsMaterial({ dataDir, names: ['localhost', 'qr.example'] });
    expect(renamed.origin).toBe('self-signed-created');
    expect(renamed.fingerprint256).not.toBe(first.fingerprint256);
    const later = await loadTlsMaterial({ dataDir, names: ['localhost'], now: new Date(Date.now() + 6 * 365 * 86_400_000) });
    expect(later.origin).toBe('self-signed-created');
  });

  it('uses configured files and refuses a key that does not belong to the certificate', async () => {
    const a = tempDir();
    const b = tempDir();
    await loadTlsMaterial({ dataDir: a, names: ['localhost'] });
    await loadTlsMaterial({ dataDir: b, names: ['localhost'] });
    const configured = await loadTlsMaterial({ dataDir: tempDir(), certFile: join(a, 'tls/cert.pem'), keyFile: join(a, 'tls/key.pem'), names: ['localhost'] });
    expect(configured.origin).toBe('configured');
    await expect(loadTlsMaterial({ dataDir: tempDir(), certFile: join(a, 'tls/cert.pem'), keyFile: join(b, 'tls/key.pem'), names: [] })).rejects.toThrow(
      /does not belong/,
    );
  });
});
