import { sql } from 'kysely';
import { loadStorageConfig } from '../config/storage-config.ts';
import { openDatabase } from '../storage/open-database.ts';
import { SERVICE_ROLE_SETTING } from '../storage/service-role.ts';
import { command, DATA_DIR_OPTION, dataDirOf, parseCommandArgs, printJson } from './command-io.ts';

const USAGE = `qrlog db migrate --data-dir DIR
  Brings the database schema up to date as its owner (DATABASE_URL) and, on PostgreSQL, makes sure
  the service's login role exists and holds every grant, given again (ADR 11). Run it before
  starting a service that has only DATABASE_SERVICE_URL, and after restoring a database.
  Prints {"engine", "serviceRole"}: serviceRole is the role DATABASE_SERVICE_URL must log in as.`;

export const dbMigrate = command('db migrate', USAGE, async (argv, io) => {
  const v = parseCommandArgs(argv, DATA_DIR_OPTION);
  const config = loadStorageConfig(dataDirOf(v, io), io.env, { creates: true });
  const database = await openDatabase({ ...config, poolSize: 1 }, 'owner');
  try {
    let serviceRole: string | null = null;
    if (database.kind === 'postgres') {
      const { rows } = await sql<{ role: string | null }>`select current_setting(${SERVICE_ROLE_SETTING}, true) as role`.execute(database.db);
      serviceRole = rows[0]?.role ?? null;
    }
    printJson(io, { engine: database.kind, serviceRole });
    return 0;
  } finally {
    await database.close();
  }
});
