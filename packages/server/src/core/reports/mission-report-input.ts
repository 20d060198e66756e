import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import { alertRepository, type AlertRow } from '../../storage/alert-repository.ts';
import type { Database } from '../../storage/database-schema.ts';
import { missionRepository, type MissionRow } from '../../storage/mission-repository.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import type { MissionRule } from '../alerts/mission-rule.ts';
import type { LimitBand } from './channel-statistics.ts';
import type { ReportInput } from './report-builder.ts';
import type { AlertNote, ReportAlert } from './report-document.ts';
import type { LoggerPart } from './report-service.ts';

/** Alerts a report lists at most (a mission with more has a problem the first thousand show). */
const MAX_ALERTS = 1000;

/**
 * What a mission report is made of: the mission's header, each logger period's readings and
 * evidence (`part`), limit bands from the mission's rules, and its alerts with acknowledgements,
 * comments and closings (superseded ones too: the report says what was raised and why it went).
 */
export async function missionReportInput(
  db: Kysely<Database>,
  missionId: string,
  part: (serial: string, range: { from: number; to: number }) => Promise<LoggerPart>,
  now: Date,
): Promise<ReportInput> {
  const mission = await missionRepository.findMission(db, missionId);
  if (mission === undefined) throw new AppError('not-found', 'no such mission');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const end = mission.actual_end ?? null;
  const periods = await missionRepository.periodsOf(db, missionId);
  const parts: LoggerPart[] = [];
  for (const p of periods) {
    const from = Math.ceil(p.from_ms / 1000);
    const to = Math.max(from, Math.ceil((p.to_ms ?? end ?? now.getTime()) / 1000));
    parts.push(await part(p.serial, { from, to }));
  }
  const rules = parseRules(mission.rules);
  const start = seconds(mission.actual_start ?? mission.planned_start);
  const from = Math.min(...parts.map((x) => x.logger.from), start ?? Infinity);
  const to = Math.max(...parts.map((x) => x.logger.to), seconds(end) ?? -Infinity);
  return {
    kind: 'mission',
    title: `Mission ${mission.name} – report`,
    organization: (await organizationRepository.find(db, mission.org_id))?.name ?? null,
    mission: {
      id: mission.id,
      name: mission.name,
      status: mission.status,
      origin: mission.origin,
      destination: mission.destination,
      plannedStart: seconds(mission.planned_start),
      plannedEnd: seconds(mission.planned_end),
      actualStart: seconds(mission.actual_start),
      actualEnd: seconds(mission.actual_end),
    },
    period: { from: Number.isFinite(from) ? from : nowSeconds, to: Number.isFinite(to) ? to : nowSeconds },
    loggers: parts.map((x) => x.logger),
    bands: bandsOf(rules),
    alerts: await alertsOf(db, mission, rules),
    evidence: parts.map((x) => x.evidence),
    activationEnergyKj: mission.mkt_activation_energy,
    generatedAt: now.getTime(),
  };
}

function seconds(ms: number | null): number | null {
  return ms === null ? null : Math.floor(ms / 1000);
}

/** The rules as stored (validated where they entered); unreadable JSON gives none rather than no report. */
function parseRules(text: string): MissionRule[] {
  try {
    const rules: unknown = JSON.parse(text);
    return Array.isArray(rules) ? (rules as MissionRule[]) : [];
  } catch {
    return [];
  }
}

/** One band per distinct (channel, low, high) of the limit and cumulative rules, named by severity. */
function bandsOf(rules: readonly MissionRule[]): Record<string, LimitBand[]> {
  const bands: Record<string, LimitBand[]> = {};
  for (const r of rules) {
    if (r.kind !== 'limit' && r.kind !== 'cumulative') continue;
    const list = (bands[r.channel] ??= []);
    if (list.some((b) => b.low === r.low && b.high === r.high)) continue;
    const band: LimitBand = { label: list.some((b) => b.label === r.severity) ? `${r.severity} ${String(list.length + 1)}` : r.severity };
    if (r.low !== undefined) band.low = r.low;
    if (r.high !== undefined) band.high = r.high;
    list.push(band);
  }
  return bands;
}

async function alertsOf(db: Kysely<Database>, mission: MissionRow, rules: readonly MissionRule[]): Promise<ReportAlert[]> {
  const { rows } = await alertRepository.list(db, { orgIds: [mission.org_id] }, { missionId: mission.id, limit: MAX_ALERTS });
  const names = await peopleNames(db, rows);
  const who = (actor: string) => names.get(actor) ?? actor;
  // Every thread in one query (a mission with hundreds of alerts is one round trip, not hundreds).
  const threads = new Map<string, { author: string; body: string; created_at: number }[]>();
  if (rows.length > 0) {
    const all = await db.selectFrom('alert_comments').select(['alert_id', 'author', 'body', 'created_at']).where('alert_id', 'in', rows.map((r) => r.id)).orderBy('alert_id').orderBy('id').execute();
    for (const c of all) {
      let thread = threads.get(c.alert_id);
      if (thread === undefined) threads.set(c.alert_id, (thread = []));
      thread.push(c);
    }
  }
  const out: ReportAlert[] = [];
  for (const a of rows) {
    const rule = rules.find((r) => r.id === a.rule_id);
    const comments = threads.get(a.id) ?? [];
    const note = (by: string, at: number, text: string | null): AlertNote => ({ by: who(by), at: Math.floor(at / 1000), text: text ?? '' });
    out.push({
      id: a.id,
      serial: a.serial,
      channel: a.channel === '' ? null : a.channel,
      severity: a.severity as ReportAlert['severity'],
      state: a.state,
      summary: describe(a, rule),
      // Only a limit alert's worst is a value of its channel (others: a rate, seconds, g).
      worst: a.rule_kind === 'limit' ? a.worst : null,
      startedAt: Math.floor(a.started_at / 1000),
      endedAt: a.ongoing === 1 ? null : Math.floor(a.ended_at / 1000),
      acknowledgements: a.acknowledged_by === null || a.acknowledged_at === null ? [] : [note(a.acknowledged_by, a.acknowledged_at, a.acknowledge_comment)],
      // The acknowledgement's comment also opens the thread: listed once, as the acknowledgement's.
      comments: comments
        .filter((c) => !(c.author === a.acknowledged_by && c.created_at === a.acknowledged_at && c.body === a.acknowledge_comment))
        .map((c) => note(c.author, c.created_at, c.body)),
      closed: a.closed_at === null ? null : note(a.closed_by ?? 'system:', a.closed_at, [a.close_reason, a.close_comment].filter((s) => s !== null && s !== '').join(': ')),
    });
  }
  return out;
}

/** `user:<id>` as the user's e-mail address (what a reader of the report recognises). */
async function peopleNames(db: Kysely<Database>, rows: readonly AlertRow[]): Promise<Map<string, string>> {
  const ids = new Set<string>();
  for (const r of rows) for (const actor of [r.acknowledged_by, r.closed_by]) if (actor?.startsWith('user:') === true) ids.add(actor.slice(5));
  const commenters = rows.length === 0 ? [] : await db.selectFrom('alert_comments').select('author').where('alert_id', 'in', rows.map((r) => r.id)).execute();
  for (const c of commenters) if (c.author.startsWith('user:')) ids.add(c.author.slice(5));
  if (ids.size === 0) return new Map();
  const users = await db.selectFrom('users').select(['id', 'email']).where('id', 'in', [...ids]).execute();
  return new Map(users.map((u) => [`user:${u.id}`, u.email]));
}

function describe(a: AlertRow, rule: MissionRule | undefined): string {
  const limits = (r: { low?: number | undefined; high?: number | undefined }) => `${r.low === undefined ? '' : String(r.low)}–${r.high === undefined ? '' : String(r.high)}`;
  switch (rule?.kind) {
    case 'limit':
      return `${a.channel} outside ${limits(rule)} for ${String(rule.delayReadings)} readings or more (${String(a.extent)} readings)`;
    case 'cumulative':
      return `${a.channel} outside ${limits(rule)} for ${String(Math.round(a.extent / 60))} min in total (allowed ${String(Math.round(rule.maxOutsideSeconds / 60))} min)`;
    case 'rate':
      return `${a.channel} changed ${a.worst.toFixed(1)} per hour (allowed ${String(rule.maxPerHour)})`;
    case 'gap':
      return `no ${a.channel} reading for ${String(Math.round(a.worst / 60))} min (allowed ${String(Math.round(rule.maxGapSeconds / 60))} min)`;
    case 'no-scan':
      return `no scan for ${String(Math.round(a.worst / 60))} min (allowed ${String(Math.round(rule.maxSilenceSeconds / 60))} min)`;
    case 'shock':
      return `shock of ${a.worst.toFixed(1)} g (allowed ${String(rule.maxG)} g)`;
    case 'logger-alarm':
      return `the logger's own alarm on ${a.channel}`;
    default:
      return `${a.rule_kind} rule ${a.rule_id}`;
  }
}
