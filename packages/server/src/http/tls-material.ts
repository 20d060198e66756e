import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  cert: string;
  key: string;
  /** SHA-256 of the leaf certificate, colon-separated hex, as browsers and `openssl x509 -fingerprint` show it. */
  fingerprint256: string;
  /** Where the certificate is, so a client can be told to trust it. */
  certFile: string;
  origin: 'configured' | 'self-signed-created' | 'self-signed-reused';
}

/** How long a generated certificate lasts: long, since every renewal changes the fingerprint people pinned. */
const SELF_SIGNED_DAYS = 5 * 365;

/**
 * The server's certificate: the configured files when given, otherwise a self-signed one kept
 * in `<dataDir>/tls/`, made on first start and reused afterwards (remade only when it expired or
 * does not cover the names the server is reached by). The key file is readable by its owner only.
 */
export async function loadTlsMaterial(options: {
  dataDir: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** Host names and addresses the certificate must cover. */
  names: readonly string[];
  now?: Date;
}): Promise<TlsMaterial> {
  if (options.certFile !== undefined && options.keyFile !== undefined) {
    const cert = readFileSync(options.certFile, 'utf8');
    const key = readFileSync(options.keyFile, 'utf8');
    checkPair(cert, key, `${options.certFile} and ${options.keyFile}`);
    return { cert, key, fingerprint256: new X509Certificate(cert).fingerprint256, certFile: options.certFile, origin: 'configured' };
  }
  const dir = join(options.dataDir, 'tls');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const now = options.now ?? new Date();
  const existing = readExisting(certFile, keyFile);
  if (existing !== null && covers(existing.cert, options.names) && new Date(new X509Certificate(existing.cert).validTo) > now) {
    return { ...existing, fingerprint256: new X509Certificate(existing.cert).fingerprint256, certFile, origin: 'self-signed-reused' };
  }
  const made = await generate([{ name: 'commonName', value: 'qrlog self-signed' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: altNames(options.names) },
    ],
  });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Key first, certificate last, each by rename: a crash leaves either the old pair or a
  // complete new key without certificate, which the next start simply replaces.
  writeAtomically(keyFile, made.private, 0o600);
  writeAtomically(certFile, made.cert, 0o644);
  return { cert: made.cert, key: made.private, fingerprint256: new X509Certificate(made.cert).fingerprint256, certFile, origin: 'self-signed-created' };
}

function readExisting(certFile: string, keyFile: string): { cert: string; key: string } | null {
  try {
    const cert = readFileSync(certFile, 'utf8');
    const key = readFileSync(keyFile, 'utf8');
    checkPair(cert, key, certFile);
    return { cert, key };
  } catch {
    return null;
  }
}

function checkPair(cert: string, key: string, what: string): void {
  let ok: boolean;
  try {
    ok = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    throw new Error(`TLS: ${what} is not a PEM certificate and private key`);
  }
  if (!ok) throw new Error(`TLS: the private key does not belong to the certificate (${what})`);
}

function covers(cert: string, names: readonly string[]): boolean {
  const x = new X509Certificate(cert);
  return names.every((n) => (isIP(n) !== 0 ? x.checkIP(n) : x.checkHost(n)) !== undefined);
}

function altNames(names: readonly string[]): ({ type: 2; value: string } | { type: 7; ip: string })[] {
  return [...new Set(names)].map((n) => (isIP(n) !== 0 ? { type: 7, ip: n } : { type: 2, value: n }));
}

function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, file);
}

/** The names a self-signed certificate covers: loopback always, plus the listen host and the public host. */
export function certificateNames(host: string, publicUrl: string | undefined): string[] {
  const names = ['localhost', '127.0.0.1', '::1'];
  if (host !== '0.0.0.0' && host !== '::' && host !== '') names.push(host);
  if (publicUrl !== undefined) names.push(new URL(publicUrl).hostname.replace(/^\[|\]$/g, ''));
  return [...new Set(names)];
}
