import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteDatabase } from './sqlite-database.ts';

describe('the SQLite file', () => {
  it('is created readable by its owner only, in a data directory that exists already, whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlog-mode-'));
    const previous = process.umask(0o022);
    try {
      const file = join(dir, 'qrlog.sqlite');
      const handle = openSqliteDatabase(file);
      await handle.db.selectNoFrom((eb) => eb.val(1).as('one')).execute();
      expect(statSync(file).mode & 0o777).toBe(0o600);
      await handle.close();
    } finally {
      process.umask(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
