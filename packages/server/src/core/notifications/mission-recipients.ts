/** Who a mission's alerts go to: its recipient teams' members (by their preferences) and plain addresses. */
export interface RecipientGroup {
  teamIds: string[];
  emails: string[];
}

export interface MissionRecipients {
  missionName: string;
  recipients: RecipientGroup;
  /** Told when an alert stays unacknowledged too long; absent: the organization's admins. */
  escalation?: RecipientGroup | undefined;
}

/**
 * The missions' side of notifications (the missions' storage implements it). Without one, a
 * mission's alerts go to the members of the team that owns it, and escalate to the admins.
 */
export interface MissionRecipientsSource {
  recipientsOf(missionId: string): Promise<MissionRecipients | undefined>;
}
