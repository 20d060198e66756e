import { useQuery } from '@tanstack/react-query';
import { api, dataOf } from '../api/api.ts';
import type { TimeSpan } from '../charts/overview-series.ts';

/** A limit of a mission rule on one channel (stored unit), over the part of the range the mission covers this logger. */
export interface MissionLimit {
  missionName: string;
  bound: 'low' | 'high';
  value: number;
  from: number;
  to: number;
}

/** An alert of this logger on one channel: the stretch its readings were outside a rule. */
export interface AlarmPeriod extends TimeSpan {
  ruleKind: string;
  severity: 'info' | 'warning' | 'critical';
}

const seconds = (iso: string) => Math.round(Date.parse(iso) / 1000);

/**
 * The limits drawn on the chart: the limit rules of the missions this logger is in, each over the
 * stretch of its logger period that falls in the range. (The logger's own configured limits are not
 * stored by the service: links bring only its alarm counts.)
 */
export function useMissionLimits(serial: string, channel: string, range: TimeSpan) {
  return useQuery({
    queryKey: ['logger-mission-limits', serial],
    queryFn: async () => {
      const missions = dataOf(await api.GET('/api/v1/missions', { params: { query: { serial, limit: 50 } } })).items;
      return Promise.all(missions.map(async (m) => dataOf(await api.GET('/api/v1/missions/{missionId}', { params: { path: { missionId: m.id } } }))));
    },
    select: (missions) => {
      const limits: MissionLimit[] = [];
      for (const mission of missions) {
        for (const period of mission.loggers.filter((p) => p.serial === serial)) {
          const from = Math.max(seconds(period.from), range.from);
          const to = Math.min(period.to === null ? range.to : seconds(period.to), range.to);
          if (from >= to) continue;
          for (const rule of mission.rules) {
            if (rule.kind !== 'limit' || rule.channel !== channel) continue;
            if (rule.low !== undefined) limits.push({ missionName: mission.name, bound: 'low', value: rule.low, from, to });
            if (rule.high !== undefined) limits.push({ missionName: mission.name, bound: 'high', value: rule.high, from, to });
          }
        }
      }
      return limits;
    },
  });
}

/** Alarm periods of this logger's channel in the range: its alerts (not those later disproved), newest 100. */
export function useAlarmPeriods(serial: string, channel: string, range: TimeSpan) {
  return useQuery({
    queryKey: ['logger-alerts', serial],
    queryFn: async () => dataOf(await api.GET('/api/v1/alerts', { params: { query: { serial, limit: 100 } } })).items,
    select: (alerts) =>
      alerts
        // Gaps are shaded as gaps already; superseded alerts were disproved or merged into another.
        .filter((a) => a.channel === channel && a.ruleKind !== 'gap' && a.state !== 'superseded')
        .map((a): AlarmPeriod => ({ from: seconds(a.startedAt), to: seconds(a.endedAt), ruleKind: a.ruleKind, severity: a.severity }))
        .filter((a) => a.to >= range.from && a.from <= range.to)
        .sort((a, b) => a.from - b.from),
  });
}
