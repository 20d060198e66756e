import type { ConsigneePageExtras } from './routes/consignee-page-route.ts';
import type { HttpServices } from './http-services.ts';

/** The most alerts a consignee's page lists (newest first); a mission with more is a case for its report. */
const MAX_ALERTS = 200;

/**
 * What the consignee's page shows besides the mission: its alerts (not those superseded: a later
 * reading disproved them), as the mission's own organization sees them.
 */
export function consigneeExtrasOf(services: HttpServices): ConsigneePageExtras | undefined {
  const { alerts, missions } = services;
  if (alerts === undefined || missions === undefined) return undefined;
  return async ({ missionId }) => {
    const mission = await missions.missions.find(missionId);
    if (mission === undefined) return {};
    const { items } = await alerts.list({ orgIds: [mission.orgId] }, { missionId, limit: MAX_ALERTS });
    return { alerts: items.filter((a) => a.state !== 'superseded') };
  };
}
