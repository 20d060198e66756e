import type { MissionService } from '../core/missions/mission-service.ts';
import type { MissionRecipientsSource } from '../core/notifications/mission-recipients.ts';

/** Notifications' view of a mission's recipients, read from the missions' own storage. */
export function missionRecipientsOf(missions: MissionService): MissionRecipientsSource {
  return {
    async recipientsOf(missionId) {
      const mission = await missions.find(missionId);
      return mission === undefined ? undefined : { missionName: mission.name, recipients: { teamIds: mission.recipients.teamIds, emails: mission.recipients.emails } };
    },
  };
}
