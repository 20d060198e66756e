import type { DatabaseKind } from './database-handle.ts';

/**
 * SQL that makes the database itself refuse changes: triggers on both engines (and, in
 * PostgreSQL, privileges: see migrations/0003-service-role.ts). Kept here because
 * `qrlog readings rebuild` lifts and restores the guard of the derived tables, as the owner,
 * inside the same transaction.
 */

/** Tables of derived readings: append-only, rebuilt from evidence by the owner only. */
export const DERIVED_TABLES = ['reading_blocks', 'sessions'] as const;
export type DerivedTable = (typeof DERIVED_TABLES)[number];

/** Table names are our own constants, never input: safe to splice into DDL. */
export function appendOnlyGuard(kind: DatabaseKind, table: string): { create: string[]; drop: string[] } {
  if (kind === 'sqlite') {
    return {
      create: [
        `create trigger ${table}_no_update before update on ${table} begin select raise(abort, '${table} is append-only'); end`,
        `create trigger ${table}_no_delete before delete on ${table} begin select raise(abort, '${table} is append-only'); end`,
      ],
      drop: [`drop trigger ${table}_no_update`, `drop trigger ${table}_no_delete`],
    };
  }
  return {
    create: [
      `create trigger ${table}_append_only before update or delete on ${table} for each row execute function qrlog_refuse_change()`,
      `create trigger ${table}_no_truncate before truncate on ${table} for each statement execute function qrlog_refuse_change()`,
    ],
    drop: [`drop trigger ${table}_append_only on ${table}`, `drop trigger ${table}_no_truncate on ${table}`],
  };
}

/** PostgreSQL trigger functions the guards call. */
export const POSTGRES_GUARD_FUNCTIONS = [
  `create function qrlog_refuse_change() returns trigger language plpgsql as $$
   begin
     raise exception '% is append-only: % refused', tg_table_name, tg_op;
   end $$`,
  `create function qrlog_scans_guard() returns trigger language plpgsql as $$
   begin
     if tg_op <> 'UPDATE' or old.located_at is not null or new.located_at is null
        or (new.id, new.serial, new.chain_index, new.received_at, new.source_address, new.user_agent_id, new.via,
            new.new_readings, new.known_readings, new.conflicts, new.duplicate_link)
           is distinct from
           (old.id, old.serial, old.chain_index, old.received_at, old.source_address, old.user_agent_id, old.via,
            old.new_readings, old.known_readings, old.conflicts, old.duplicate_link) then
       raise exception 'scans are immutable except for their location, set once: % refused', tg_op;
     end if;
     return new;
   end $$`,
];

/** Scans: immutable but for the location, which may be set once (null → value). */
export function scansGuard(kind: DatabaseKind): string[] {
  if (kind === 'sqlite') {
    const immutable = [
      'id', 'serial', 'chain_index', 'received_at', 'source_address', 'user_agent_id', 'via',
      'new_readings', 'known_readings', 'conflicts', 'duplicate_link',
    ];
    const changed = immutable.map((c) => `new.${c} is not old.${c}`).join(' or ');
    return [
      `create trigger scans_immutable before update on scans
       when old.located_at is not null or new.located_at is null or ${changed}
       begin select raise(abort, 'scans are immutable except for their location, set once'); end`,
      `create trigger scans_no_delete before delete on scans begin select raise(abort, 'scans are append-only'); end`,
    ];
  }
  return [
    `create trigger scans_guard before update or delete on scans for each row execute function qrlog_scans_guard()`,
    `create trigger scans_no_truncate before truncate on scans for each statement execute function qrlog_refuse_change()`,
  ];
}
