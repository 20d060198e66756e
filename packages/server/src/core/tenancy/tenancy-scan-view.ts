import { SAMPLED_CHANNELS } from '@qrlog/link';
import { decide, standingIn } from '../access/policy.ts';
import type { Principal } from '../access/principal.ts';
import type { TenancyServices } from './tenancy-services.ts';
import type { ReadingsService } from '../readings/readings-service.ts';
import type { MissionCoverageSource } from '../missions/mission-coverage.ts';
import { chartRuns } from '../missions/chart-columns.ts';
import { CHART_COLUMNS, channelChart, chartLimits, type ChannelChart } from '../missions/consignee-view.ts';

/** The newest readings of one channel, as the scan page shows them. */
export interface NewestReadings {
  channel: string;
  unit: string;
  /** Oldest first; t in Unix seconds, v null for a sensor fault. */
  readings: { t: number; v: number | null }[];
}

/** An unclaimed logger an admin scanned: into which of their organization's teams it may be claimed. */
export interface ClaimOffer {
  orgId: string;
  serial: string;
  /** The admin's own scan: the proof the claim sends. */
  scanId: string;
  teams: { id: string; name: string }[];
}

/** How many readings per channel the scan page shows. */
const SHOWN = 6;

/**
 * What the scan page may add for the person who scanned: the logger's newest readings, but only
 * for a signed-in user whom the policy lets read this logger. Everyone else (anonymous, another
 * organization, a team without access) gets undefined and sees only that the upload succeeded.
 */
export async function newestReadingsFor(tenancy: TenancyServices, principal: Principal, serial: string): Promise<NewestReadings[] | undefined> {
  if (principal.kind !== 'user') return undefined;
  const subject = await tenancy.resolver.subject(principal);
  const target = await tenancy.resolver.target('logger', serial);
  if (!decide(subject, { action: 'logger.read', target: 'logger' }, target).allow) return undefined;
  // Where each channel's stored readings end (the logger's clock, not the time of the scan).
  const ends = new Map<string, { end: number; interval: number }>();
  for (const channel of await tenancy.readings.coverage(serial)) {
    for (const session of channel.sessions) {
      const last = session.known[session.known.length - 1]?.toTime;
      const end = last === undefined ? NaN : Date.parse(last) / 1000;
      if (!Number.isNaN(end) && end > (ends.get(channel.name)?.end ?? -Infinity)) ends.set(channel.name, { end, interval: session.interval });
    }
  }
  const out: NewestReadings[] = [];
  for (const c of SAMPLED_CHANNELS) {
    const span = ends.get(c.name);
    if (span === undefined) continue;
    const series = await tenancy.readings.series(serial, c.name, { from: span.end - span.interval * SHOWN * 4, to: span.end + 1 });
    const start = Math.max(0, series.t.length - SHOWN);
    const readings = series.t.slice(start).map((t, i) => ({ t, v: series.v[start + i] ?? null }));
    if (readings.length > 0) out.push({ channel: c.name, unit: c.unit, readings });
  }
  return out;
}

/**
 * A signed-in organization admin who scanned a logger nobody has claimed yet, with their session
 * on the phone, may claim it from the scan page for 10 minutes (through the claims API, with the
 * session's CSRF token and this scan as the proof). Undefined for anyone else, for a scan that
 * proves nothing (another's, too old, an old link) and for a logger claimed already (by whomever:
 * the page does not say).
 */
export async function claimOfferFor(tenancy: TenancyServices, principal: Principal, scan: { scanId: string; serial: string }): Promise<ClaimOffer | undefined> {
  if (principal.kind !== 'user') return undefined;
  const subject = await tenancy.resolver.subject(principal);
  if (subject.kind !== 'user' || subject.orgId === null || standingIn(subject, subject.orgId) !== 'admin') return undefined;
  const org = await tenancy.resolver.target('organization', subject.orgId);
  if (org === 'missing' || !decide(subject, { action: 'logger.claim', target: 'organization' }, org).allow) return undefined;
  if (!(await tenancy.tenancy.scanProvesClaim(scan.scanId, subject.userId)) || (await tenancy.tenancy.isClaimed(scan.serial))) return undefined;
  const teams = await tenancy.queries.teams(subject.orgId, { limit: 100 });
  return { orgId: subject.orgId, serial: scan.serial, scanId: scan.scanId, teams: teams.map((t) => ({ id: t.id, name: t.name })) };
}

/** How far back the scan page's chart reaches from the newest reading. */
const SCAN_CHART_SECONDS = 3 * 86_400;

/**
 * The chart a viewer allowed to read the logger sees on the scan page: each channel over the last
 * days up to its newest reading, min and max per pixel column, with the limits of the mission the
 * logger serves in that time (none outside a mission: the link's own limits are not stored).
 */
export async function recentChartsFor(
  readings: ReadingsService,
  coverage: MissionCoverageSource | undefined,
  serial: string,
  newest: NewestReadings[],
): Promise<ChannelChart[]> {
  const to = Math.max(...newest.flatMap((c) => c.readings.map((r) => r.t))) + 1;
  if (!Number.isFinite(to)) return [];
  const from = to - SCAN_CHART_SECONDS;
  const periods = coverage === undefined ? [] : await coverage.coveringLogger(serial, new Date(from * 1000), new Date(to * 1000));
  const charts: ChannelChart[] = [];
  for (const c of newest) {
    const series = await readings.series(serial, c.channel, { from, to });
    const runs = chartRuns(series.t, series.v, from, to, CHART_COLUMNS);
    if (runs.length === 0) continue;
    const limits = periods.flatMap((p) => chartLimits(p.rules, c.channel));
    charts.push(channelChart({ name: c.channel, unit: c.unit }, from, to, [{ serial, runs }], limits));
  }
  return charts;
}
