import { sql, type CreateTableBuilder, type Kysely } from 'kysely';
import type { DatabaseKind } from '../database-handle.ts';
import { columnTypes, type QrlogMigration } from './migration.ts';

/** All tables and indexes; see database-schema.ts for what each column means. */
export const tables: QrlogMigration = {
  async up(db: Kysely<unknown>, kind: DatabaseKind) {
    const t = columnTypes(kind);
    const schema = db.schema;
    // A generated integer key: SQLite's rowid alias, a PostgreSQL identity column.
    const withId = <N extends string>(b: CreateTableBuilder<N>) =>
      kind === 'sqlite'
        ? b.addColumn('id', 'integer', (c) => c.primaryKey())
        : b.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity());
    // Tables keyed by something else than an integer store their rows in the key's b-tree.
    const withoutRowid = <N extends string>(b: CreateTableBuilder<N>) => (kind === 'sqlite' ? b.modifyEnd(sql`without rowid`) : b);

    await schema
      .createTable('loggers')
      .addColumn('serial', 'text', (c) => c.primaryKey())
      .addColumn('model', 'text')
      .addColumn('created_at', t.time, (c) => c.notNull())
      .execute();

    await withoutRowid(
      schema
        .createTable('logger_keys')
        .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial'))
        .addColumn('key_version', 'integer', (c) => c.notNull())
        .addColumn('kek_label', 'text', (c) => c.notNull())
        .addColumn('wrapped', t.bytes, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('rewrapped_at', t.time)
        .addPrimaryKeyConstraint('logger_keys_pk', ['serial', 'key_version']),
    ).execute();

    await schema
      .createTable('evidence')
      .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial'))
      .addColumn('chain_index', 'integer', (c) => c.notNull())
      .addColumn('received_at', t.time, (c) => c.notNull())
      .addColumn('via', 'text', (c) => c.notNull())
      .addColumn('source_address', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('payload', t.bytes, (c) => c.notNull())
      .addColumn('link_digest', t.bytes, (c) => c.notNull())
      .addColumn('hash', t.bytes, (c) => c.notNull())
      .addPrimaryKeyConstraint('evidence_pk', ['serial', 'chain_index'])
      .execute();
    // The same link is stored once per logger, whatever the code above does.
    await schema.createIndex('evidence_link').unique().on('evidence').columns(['serial', 'link_digest']).execute();

    await withId(schema.createTable('user_agents'))
      .addColumn('text', 'text', (c) => c.notNull().unique())
      .execute();

    await withoutRowid(
      schema
        .createTable('scans')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('serial', 'text', (c) => c.notNull().references('loggers.serial'))
        .addColumn('chain_index', 'integer', (c) => c.notNull())
        .addColumn('received_at', t.time, (c) => c.notNull())
        .addColumn('source_address', 'text', (c) => c.notNull())
        .addColumn('user_agent_id', 'integer', (c) => c.references('user_agents.id'))
        .addColumn('via', 'text', (c) => c.notNull())
        .addColumn('new_readings', 'integer', (c) => c.notNull())
        .addColumn('known_readings', 'integer', (c) => c.notNull())
        .addColumn('conflicts', 'integer', (c) => c.notNull())
        .addColumn('duplicate_link', 'integer', (c) => c.notNull())
        .addColumn('latitude', t.real)
        .addColumn('longitude', t.real)
        .addColumn('accuracy', t.real)
        .addColumn('located_at', t.time),
    ).execute();

    await schema
      .createTable('reading_blocks')
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('channel', 'integer', (c) => c.notNull())
      .addColumn('session', 'integer', (c) => c.notNull())
      .addColumn('first_seq', 'integer', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('chain_index', 'integer', (c) => c.notNull())
      .addColumn('data', t.bytes, (c) => c.notNull())
      .addPrimaryKeyConstraint('reading_blocks_pk', ['serial', 'channel', 'session', 'first_seq'])
      .execute();

    await withoutRowid(
      schema
        .createTable('sessions')
        .addColumn('serial', 'text', (c) => c.notNull())
        .addColumn('session', 'integer', (c) => c.notNull())
        .addColumn('session_start', t.time, (c) => c.notNull())
        .addColumn('interval', 'integer', (c) => c.notNull())
        .addColumn('chain_index', 'integer', (c) => c.notNull())
        .addPrimaryKeyConstraint('sessions_pk', ['serial', 'session']),
    ).execute();

    await withId(schema.createTable('integrity_events'))
      .addColumn('serial', 'text', (c) => c.notNull())
      .addColumn('chain_index', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('session', 'integer', (c) => c.notNull())
      .addColumn('channel', 'text')
      .addColumn('seq', 'integer')
      .addColumn('stored', 'text', (c) => c.notNull())
      .addColumn('received', 'text', (c) => c.notNull())
      .addColumn('detected_at', t.time, (c) => c.notNull())
      .execute();
    await schema.createIndex('integrity_events_serial').on('integrity_events').columns(['serial', 'id']).execute();

    await withId(schema.createTable('security_events'))
      .addColumn('occurred_at', t.time, (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('source_address', 'text', (c) => c.notNull())
      .addColumn('serial', 'text')
      .addColumn('via', 'text')
      .addColumn('user_agent', 'text')
      .execute();
    await schema.createIndex('security_events_time').on('security_events').columns(['occurred_at']).execute();
  },
};
