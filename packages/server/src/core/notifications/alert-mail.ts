import type { Alert } from '../alerts/alert-view.ts';
import type { AlertEvidence } from './alert-evidence.ts';

/** Which mail of an alert this is. */
export type AlertMailKind = { kind: 'first' } | { kind: 'repeat'; n: number } | { kind: 'escalation' };

/** The web app's page of an alert (the API has it at /api/v1/alerts/{id}). */
export function alertLink(publicUrl: string, alertId: string): string {
  return `${publicUrl}/alerts/${alertId}`;
}

const RULE_WORDS: Record<string, string> = {
  limit: 'outside its limits',
  cumulative: 'too long outside its limits over the mission',
  rate: 'changing too fast',
  gap: 'a gap in the readings',
  'no-scan': 'no scan for too long',
  shock: 'a shock above the limit',
  'logger-alarm': 'the logger\u2019s own alarm',
};

/** Subject and text of an alert mail: what happened, when, the values, and where to act. */
export function alertMail(alert: Alert, missionName: string, evidence: AlertEvidence, link: string, which: AlertMailKind): { subject: string; text: string } {
  const what = `${alert.channel}: ${RULE_WORDS[alert.ruleKind] ?? alert.ruleKind}`;
  const prefix = which.kind === 'repeat' ? 'Still unacknowledged: ' : which.kind === 'escalation' ? 'Escalated, unacknowledged: ' : '';
  const subject = `[qrlog ${alert.severity}] ${prefix}${what} \u2014 ${missionName}, logger ${alert.serial}`;
  const u = evidence.unit === '' ? '' : ` ${evidence.unit}`;
  const lines = [
    `${prefix}${alert.severity.toUpperCase()} alert on mission "${missionName}", logger ${alert.serial}.`,
    '',
    `What: ${what}.`,
    `When: ${alert.startedAt.toISOString()} to ${alert.endedAt.toISOString()}${alert.ongoing ? ' (still going on at the last reading)' : ''}.`,
    ...valueLines(alert, evidence, u),
    `Raised: ${alert.raisedAt.toISOString()}. State: ${alert.state}.`,
  ];
  if (which.kind === 'escalation') lines.push('', 'Nobody has acknowledged this alert yet; you get this as the next group to tell.');
  if (which.kind === 'repeat') lines.push('', `This is reminder ${String(which.n)}: the alert stays unacknowledged. Reminders stop once someone acknowledges it.`);
  lines.push('', `Acknowledge or comment: ${link}`);
  if (evidence.chartPng !== null) lines.push(`The chart (chart.png) shows ${String(evidence.readings)} readings around it, the alert's stretch shaded.`);
  return { subject, text: lines.join('\n') };
}

function valueLines(alert: Alert, evidence: AlertEvidence, u: string): string[] {
  const rule = evidence.rule;
  switch (alert.ruleKind) {
    case 'limit':
    case 'cumulative': {
      const limits = rule !== undefined && (rule.kind === 'limit' || rule.kind === 'cumulative') ? limitText(rule.low, rule.high, u) : 'the rule\u2019s limits';
      const extent = alert.ruleKind === 'limit' ? `${String(alert.extent)} readings outside` : `${formatDuration(alert.extent)} outside in all`;
      return [`Worst value: ${fmt(alert.worst)}${u} (allowed: ${limits}); ${extent}.`];
    }
    case 'rate':
      return [`Fastest change: ${fmt(alert.worst)}${u} per hour${rule?.kind === 'rate' ? ` (allowed: ${fmt(rule.maxPerHour)}${u} per hour)` : ''}.`];
    case 'gap':
      return [`Longest gap: ${formatDuration(alert.worst)}${rule?.kind === 'gap' ? ` (allowed: ${formatDuration(rule.maxGapSeconds)})` : ''}.`];
    case 'no-scan':
      return [`Silent for: ${formatDuration(alert.worst)}${rule?.kind === 'no-scan' ? ` (allowed: ${formatDuration(rule.maxSilenceSeconds)})` : ''}.`];
    case 'shock':
      return [`Strongest shock: ${fmt(alert.worst)} g${rule?.kind === 'shock' ? ` (allowed: ${fmt(rule.maxG)} g)` : ''}.`];
    default:
      return [`Value: ${fmt(alert.worst)}${u}.`];
  }
}

function limitText(low: number | undefined, high: number | undefined, u: string): string {
  if (low !== undefined && high !== undefined) return `${fmt(low)} to ${fmt(high)}${u}`;
  if (high !== undefined) return `at most ${fmt(high)}${u}`;
  if (low !== undefined) return `at least ${fmt(low)}${u}`;
  return 'no limit';
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2).replace(/0$/, '');
}

function formatDuration(seconds: number): string {
  const m = Math.round(seconds / 60);
  if (m < 120) return `${String(m)} min`;
  const h = Math.floor(m / 60);
  return `${String(h)} h ${String(m % 60)} min`;
}
