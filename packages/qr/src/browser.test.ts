import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

async function bundleForBrowser(entry: string): Promise<{ ok: boolean; errors: string[] }> {
  try {
    await build({
      entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    return { ok: true, errors: [] };
  } catch (e) {
    const errors = (e as { errors?: { text: string }[] }).errors ?? [];
    return { ok: false, errors: errors.map((error) => error.text) };
  }
}

describe('browser entry', () => {
  it('@qrlog/qr/browser exports everything @qrlog/qr does except renderPng', async () => {
    const node = await import('@qrlog/qr');
    const browser = await import('@qrlog/qr/browser');
    expect(Object.keys(node).sort()).toEqual([...Object.keys(browser), 'renderPng'].sort());
  });

  it('@qrlog/qr/browser bundles for a browser (no Node built-ins)', async () => {
    expect(await bundleForBrowser('./browser.ts')).toEqual({ ok: true, errors: [] });
  });

  it('the Node entry does not (pngjs needs zlib), which is why browser.ts exists', async () => {
    const result = await bundleForBrowser('./index.ts');
    expect(result.ok).toBe(false);
    expect(result.errors.join('\n')).toMatch(/zlib|stream|fs|buffer|util/);
  });
});
