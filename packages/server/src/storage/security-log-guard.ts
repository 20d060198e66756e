import type { DatabaseKind } from './database-handle.ts';

/**
 * The security log's guard in the database (migration 0014; ADR 9). Security events are not
 * evidence, but they must not be quietly edited or pruned either:
 * - a row's identity (bucket, source, reason, first serial, first user agent) never changes; only
 *   its count, last time and serial sample grow, as more refusals of the same kind arrive;
 * - a row may be deleted only once its last refusal is older than RETENTION_FLOOR_DAYS. On
 *   PostgreSQL the service role has no DELETE right at all: it calls
 *   qrlog_security_log_retention(days), a SECURITY DEFINER function that deletes only rows older
 *   than the retention (never less than the floor), by the database's clock, and itself writes
 *   the audit entry saying how many rows older than what went: no deletion without its record,
 *   whoever calls it. On SQLite (one file, no roles) the retention job writes the entry.
 */
export const RETENTION_FLOOR_DAYS = 7;
const FLOOR_MS = RETENTION_FLOOR_DAYS * 86_400_000;

export function securityLogGuard(kind: DatabaseKind): string[] {
  if (kind === 'sqlite') {
    const fixed = ['id', 'bucket_start', 'occurred_at', 'reason', 'source_address', 'serial', 'via', 'user_agent'];
    const changed = fixed.map((c) => `new.${c} is not old.${c}`).join(' or ');
    return [
      `create trigger security_events_grow_only before update on security_events
       when ${changed} or new.count < old.count or new.last_at < old.last_at
       begin select raise(abort, 'security_events is append-only: only count, last_at and serial_sample may grow'); end`,
      `create trigger security_events_retention_only before delete on security_events
       when old.last_at >= cast(strftime('%s', 'now') as integer) * 1000 - ${String(FLOOR_MS)}
       begin select raise(abort, 'security_events is append-only: rows leave only through retention, when older than ${String(RETENTION_FLOOR_DAYS)} days'); end`,
    ];
  }
  return [
    `create function qrlog_security_events_guard() returns trigger language plpgsql as $$
     begin
       if tg_op = 'DELETE' then
         if old.last_at >= (extract(epoch from now()) * 1000)::bigint - ${String(FLOOR_MS)} then
           raise exception 'security_events is append-only: rows leave only through retention, when older than ${String(RETENTION_FLOOR_DAYS)} days';
         end if;
         return old;
       end if;
       if (new.id, new.bucket_start, new.occurred_at, new.reason, new.source_address, new.serial, new.via, new.user_agent)
            is distinct from
          (old.id, old.bucket_start, old.occurred_at, old.reason, old.source_address, old.serial, old.via, old.user_agent)
          or new.count < old.count or new.last_at < old.last_at then
         raise exception 'security_events is append-only: only count, last_at and serial_sample may grow';
       end if;
       return new;
     end $$`,
    `create trigger security_events_guard before update or delete on security_events for each row execute function qrlog_security_events_guard()`,
    `create trigger security_events_no_truncate before truncate on security_events for each statement execute function qrlog_refuse_change()`,
    // Runs with its owner's rights (the migrating login), so the service role needs no DELETE right.
    `create function qrlog_security_log_retention(days integer) returns bigint
     language plpgsql security definer set search_path from current as $$
     declare
       kept integer := greatest(days, ${String(RETENTION_FLOOR_DAYS)});
       now_ms bigint := (extract(epoch from now()) * 1000)::bigint;
       cutoff bigint := now_ms - kept::bigint * 86400000;
       removed bigint;
     begin
       delete from security_events where last_at < cutoff;
       get diagnostics removed = row_count;
       insert into audit_log (at, actor_kind, actor_id, org_id, action, target_kind, target_id, source_address, detail)
       values (now_ms, 'system', null, null, 'security-log.retention', null, null, null,
               json_build_object('removedRows', removed,
                                 'olderThan', to_char(to_timestamp(cutoff / 1000.0) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                                 'retentionDays', kept)::text);
       return removed;
     end $$`,
    `revoke all on function qrlog_security_log_retention(integer) from public`,
  ];
}
