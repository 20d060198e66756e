import type { AlertFinding } from './alert-finding.ts';
import type { LoggerAlarmRule, ShockRule } from './mission-rule.ts';
import type { AlarmSummaryPoint, ShockPoint } from './mission-readings.ts';

/** Each shock event above the rule's threshold: one finding (an event is its own identity). */
export function shockFindings(rule: ShockRule, shocks: readonly ShockPoint[]): AlertFinding[] {
  return shocks
    .filter((s) => s.g > rule.maxG)
    .sort((a, b) => a.t - b.t || a.session - b.session || a.seq - b.seq)
    .map((s) => ({ ruleId: rule.id, channel: 'shock', severity: rule.severity, startedAt: s.t, endedAt: s.t, ongoing: false, worst: s.g, extent: 1 }));
}

/**
 * The logger's own alarm, per session of the channel: from the first link that reported it
 * triggered to the newest, ongoing while the newest says it is active. The worst is the most
 * time outside any of those links reported. A function of the stored summaries only.
 */
export function loggerAlarmFindings(rule: LoggerAlarmRule, alarms: readonly AlarmSummaryPoint[]): AlertFinding[] {
  const bySession = new Map<number, AlarmSummaryPoint[]>();
  for (const a of alarms) {
    if (a.channel !== rule.channel) continue;
    bySession.set(a.session, [...(bySession.get(a.session) ?? []), a]);
  }
  const findings: AlertFinding[] = [];
  for (const list of bySession.values()) {
    list.sort((a, b) => a.sealedAt - b.sealedAt || a.chainIndex - b.chainIndex);
    const first = list[0];
    const last = list.at(-1);
    if (first === undefined || last === undefined) continue;
    findings.push({
      ruleId: rule.id,
      channel: rule.channel,
      severity: rule.severity,
      startedAt: first.sealedAt,
      endedAt: last.sealedAt,
      ongoing: last.active,
      worst: Math.max(...list.map((a) => a.outsideSeconds)),
      extent: list.length,
    });
  }
  return findings.sort((a, b) => a.startedAt - b.startedAt);
}
