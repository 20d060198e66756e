import type { Mission, MissionDetail, MissionTemplate } from '../../../core/missions/mission-model.ts';
import type { PublicLink } from '../../../core/missions/mission-public-links.ts';
import { iso } from './api-schemas.ts';

/** Missions, templates and public links as the API answers them (mission-schemas.ts). */
export function missionSummaryJson(m: Mission) {
  return {
    id: m.id,
    orgId: m.orgId,
    teamId: m.teamId,
    name: m.name,
    templateId: m.templateId,
    status: m.status,
    plannedStart: iso(m.plannedStart),
    plannedEnd: iso(m.plannedEnd),
    actualStart: iso(m.actualStart),
    actualEnd: iso(m.actualEnd),
    origin: m.origin,
    destination: m.destination,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}

export function missionJson(m: MissionDetail) {
  return {
    ...missionSummaryJson(m),
    recipients: m.recipients,
    rules: m.rules,
    mktActivationEnergy: m.mktActivationEnergy,
    loggers: m.loggers.map((p) => ({ id: p.id, serial: p.serial, from: iso(p.from), to: iso(p.to) })),
    shares: m.shares,
  };
}

export function templateJson(t: MissionTemplate) {
  return { ...t, createdAt: iso(t.createdAt), updatedAt: iso(t.updatedAt) };
}

export function publicLinkJson(l: PublicLink) {
  return { ...l, createdAt: iso(l.createdAt), expiresAt: iso(l.expiresAt), revokedAt: iso(l.revokedAt), lastOpenedAt: iso(l.lastOpenedAt) };
}

/** An optional RFC 3339 time of a request as a Date (null stays null). */
export function dateOf(s: string): Date;
export function dateOf(s: string | undefined): Date | undefined;
export function dateOf(s: string | null | undefined): Date | null | undefined;
export function dateOf(s: string | null | undefined): Date | null | undefined {
  return s === undefined ? undefined : s === null ? null : new Date(s);
}
