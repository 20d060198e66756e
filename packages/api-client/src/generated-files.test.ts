import { describe, expect, it } from 'vitest';
import { checkedInApiClientFiles, generateApiClientFiles } from '../scripts/api-client-files.ts';

/** Where two texts first differ, as a line number and both lines (a whole-file diff would drown the message). */
function firstDifference(expected: string, actual: string | undefined): string | undefined {
  if (actual === undefined) return 'the file is missing';
  if (actual === expected) return undefined;
  const want = expected.split('\n');
  const have = actual.split('\n');
  const line = want.findIndex((text, i) => text !== have[i]);
  const at = line === -1 ? want.length : line;
  return `line ${String(at + 1)}: generated ${JSON.stringify(want[at] ?? '<end>')}, checked in ${JSON.stringify(have[at] ?? '<end>')}`;
}

describe('the checked-in API client', () => {
  it('is what the service generates now: the document it serves and openapi-typescript\u2019s types of it', async () => {
    const generated = await generateApiClientFiles();
    const onDisk = checkedInApiClientFiles();
    for (const [path, text] of Object.entries(generated) as [keyof typeof generated, string][]) {
      const difference = firstDifference(text, onDisk[path]);
      expect(difference, `packages/api-client/${path} differs from what the API generates (${difference ?? ''}): run npm run api-client`).toBeUndefined();
    }
  }, 120_000);
});
