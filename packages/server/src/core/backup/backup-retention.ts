/**
 * Which backups to keep: for daily, weekly (ISO week) and monthly periods, the newest backup of
 * each of the N most recent periods that have one (as restic's and borg's --keep-daily etc.).
 * The newest backup is always kept. Returns the ids to delete.
 */
export interface RetentionCounts {
  daily: number;
  weekly: number;
  monthly: number;
}

export function backupsToDelete(backups: readonly { id: string; createdAt: string }[], keep: RetentionCounts): string[] {
  const newestFirst = [...backups].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  const kept = new Set<string>();
  const first = newestFirst[0];
  if (first !== undefined) kept.add(first.id);
  const periods: [number, (d: Date) => string][] = [
    [keep.daily, (d) => d.toISOString().slice(0, 10)],
    [keep.weekly, isoWeek],
    [keep.monthly, (d) => d.toISOString().slice(0, 7)],
  ];
  for (const [count, periodOf] of periods) {
    const seen = new Set<string>();
    for (const b of newestFirst) {
      if (seen.size >= count) break;
      const p = periodOf(new Date(b.createdAt));
      if (seen.has(p)) continue;
      seen.add(p);
      kept.add(b.id);
    }
  }
  return newestFirst.filter((b) => !kept.has(b.id)).map((b) => b.id);
}

/** ISO 8601 week, e.g. 2026-W48 (the week belongs to the year of its Thursday). */
function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() === 0 ? 7 : t.getUTCDay();
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${String(t.getUTCFullYear())}-W${String(week).padStart(2, '0')}`;
}
