import type { Kysely, Selectable } from 'kysely';
import type { Database, ScansTable } from './database-schema.ts';

export type ScanRow = Selectable<ScansTable>;

/** A scan as stored, its user agent's text joined back. */
export type ScanRecord = Omit<ScanRow, 'user_agent_id'> & { user_agent: string | null };

/** Scan records: one per received link, duplicates included. */
export const scanRepository = {
  async insert(db: Kysely<Database>, row: ScanRecord): Promise<void> {
    const { user_agent, ...rest } = row;
    const agent = user_agent === null ? null : await userAgentId(db, user_agent);
    await db.insertInto('scans').values({ ...rest, user_agent_id: agent }).execute();
  },

  async find(db: Kysely<Database>, id: string): Promise<ScanRecord | undefined> {
    return withUserAgent(db).where('s.id', '=', id).executeTakeFirst();
  },

  /** Sets the location once: false when the scan has one already (or does not exist). */
  async setLocation(
    db: Kysely<Database>,
    id: string,
    location: { latitude: number; longitude: number; accuracy: number | null },
    at: number,
  ): Promise<boolean> {
    const r = await db
      .updateTable('scans')
      .set({ latitude: location.latitude, longitude: location.longitude, accuracy: location.accuracy, located_at: at })
      .where('id', '=', id)
      .where('located_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },

  async listForLogger(db: Kysely<Database>, serial: string): Promise<ScanRecord[]> {
    return withUserAgent(db).where('s.serial', '=', serial).orderBy('s.received_at').execute();
  },
};

function withUserAgent(db: Kysely<Database>) {
  return db
    .selectFrom('scans as s')
    .leftJoin('user_agents as u', 'u.id', 's.user_agent_id')
    .select([
      's.id', 's.serial', 's.chain_index', 's.received_at', 's.source_address', 's.via', 's.new_readings', 's.known_readings',
      's.conflicts', 's.duplicate_link', 's.latitude', 's.longitude', 's.accuracy', 's.located_at', 'u.text as user_agent',
    ]);
}

/** The id of a User-Agent text, stored on first sight (a parallel first sight loses the insert, then reads). */
async function userAgentId(db: Kysely<Database>, text: string): Promise<number> {
  const find = () => db.selectFrom('user_agents').select('id').where('text', '=', text).executeTakeFirst();
  const known = await find();
  if (known) return known.id;
  const inserted = await db
    .insertInto('user_agents')
    .values({ text })
    .onConflict((oc) => oc.column('text').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  const raced = await find();
  if (!raced) throw new Error('user agent vanished');
  return raced.id;
}
