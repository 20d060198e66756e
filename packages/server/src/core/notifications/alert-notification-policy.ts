/** When an alert is mailed again, escalated, and when the daily digest goes out. */
export interface AlertNotificationSettings {
  /** An unacknowledged alert is mailed again this long after it was raised, and every this long after (default 4 h). */
  repeatEveryMs: number;
  /** Unacknowledged this long after it was raised: the second group is told (default 2 h). */
  escalateAfterMs: number;
  /** The daily digest covers the 24 hours up to this hour, UTC (default 6). */
  digestHourUtc: number;
}

export const DEFAULT_ALERT_NOTIFICATION_SETTINGS: AlertNotificationSettings = {
  repeatEveryMs: 4 * 3_600_000,
  escalateAfterMs: 2 * 3_600_000,
  digestHourUtc: 6,
};

/** What is due for an alert raised at `raisedAt`, given what was done: the repeat number, the escalation. */
export function dueSteps(
  s: AlertNotificationSettings,
  raisedAt: number,
  now: number,
  done: { repeats: number; escalated: boolean },
): { repeat: number | null; escalate: boolean; nextAt: number } {
  const elapsed = Math.max(0, now - raisedAt);
  const repeatsDue = Math.floor(elapsed / s.repeatEveryMs);
  const repeat = repeatsDue > done.repeats ? repeatsDue : null;
  const escalate = !done.escalated && elapsed >= s.escalateAfterMs;
  // Only the newest repeat is sent: after an outage, one reminder, not a burst of them.
  const nextRepeatAt = raisedAt + (Math.max(repeatsDue, done.repeats) + 1) * s.repeatEveryMs;
  const nextAt = done.escalated || escalate ? nextRepeatAt : Math.min(nextRepeatAt, raisedAt + s.escalateAfterMs);
  return { repeat, escalate, nextAt };
}
