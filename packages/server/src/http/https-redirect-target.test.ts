import { describe, expect, it } from 'vitest';
import { hostName, httpsRedirectTarget } from './https-redirect-target.ts';

describe('httpsRedirectTarget', () => {
  it('keeps host and path, swaps in the HTTPS port', () => {
    expect(httpsRedirectTarget('qr.example:8080', '/123?x=1', { httpsPort: 8443 })).toBe('https://qr.example:8443/123?x=1');
    expect(httpsRedirectTarget('QR.example', '/', { httpsPort: 443 })).toBe('https://qr.example/');
    expect(httpsRedirectTarget('[::1]:80', '/a', { httpsPort: 8443 })).toBe('https://[::1]:8443/a');
    expect(httpsRedirectTarget('127.0.0.1', '/a', { httpsPort: 8443 })).toBe('https://127.0.0.1:8443/a');
  });

  it('uses the public URL when configured, whatever the Host', () => {
    expect(httpsRedirectTarget('evil.example', '/123', { httpsPort: 8443, publicUrl: 'https://qr.example' })).toBe('https://qr.example/123');
  });

  it('gives no target for a Host that is not a host', () => {
    for (const h of [undefined, '', 'evil.example/x', 'a b', 'user@evil.example', '[zz::1]', '-bad.example', 'x'.repeat(64) + '.example']) {
      expect(hostName(h), String(h)).toBeNull();
    }
  });
});
