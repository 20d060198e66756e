import type { DatabaseKind } from './database-handle.ts';

/** Columns of a data anomaly that name what it is and when it began: fixed once written. */
const FIXED = ['id', 'serial', 'kind', 'channel', 'session', 'dedupe_key', 'first_seen_at'];

/**
 * Data anomalies grow (count, last_seen_at, detail) but never change what they are, and are never
 * deleted: the owners' record of what the service saw must not be rewritten (SQL, both engines).
 */
export function anomalyGuard(kind: DatabaseKind): string[] {
  if (kind === 'sqlite') {
    const changed = FIXED.map((c) => `new.${c} is not old.${c}`).join(' or ');
    return [
      `create trigger data_anomalies_fixed before update on data_anomalies when ${changed} or new.count < old.count
       begin select raise(abort, 'data anomalies only grow'); end`,
      `create trigger data_anomalies_no_delete before delete on data_anomalies begin select raise(abort, 'data anomalies are kept'); end`,
    ];
  }
  const row = (r: string) => `(${FIXED.map((c) => `${r}.${c}`).join(', ')})`;
  return [
    `create function qrlog_data_anomalies_guard() returns trigger language plpgsql as $$
     begin
       if tg_op <> 'UPDATE' or ${row('new')} is distinct from ${row('old')} or new.count < old.count then
         raise exception 'data anomalies only grow: % refused', tg_op;
       end if;
       return new;
     end $$`,
    `create trigger data_anomalies_guard before update or delete on data_anomalies for each row execute function qrlog_data_anomalies_guard()`,
    `create trigger data_anomalies_no_truncate before truncate on data_anomalies for each statement execute function qrlog_refuse_change()`,
  ];
}
