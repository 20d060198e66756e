import type { MissionRecipients, MissionRecipientsSource } from '../core/notifications/mission-recipients.ts';

/**
 * Test support (not a test): a real, small implementation of the missions' recipients port over
 * a fixed map (the missions' own storage implements it for the service).
 */
export class FixedMissionRecipients implements MissionRecipientsSource {
  constructor(public missions: Record<string, MissionRecipients> = {}) {}

  recipientsOf(missionId: string): Promise<MissionRecipients | undefined> {
    return Promise.resolve(this.missions[missionId]);
  }
}
