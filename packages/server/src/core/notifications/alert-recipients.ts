import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { notificationAudienceRepository } from '../../storage/notification-audience-repository.ts';
import type { Severity } from '../alerts/alert-rule.ts';
import type { Alert } from '../alerts/alert-view.ts';
import type { MissionRecipients, MissionRecipientsSource, RecipientGroup } from './mission-recipients.ts';
import type { NotificationPreferencesService } from './notification-preferences.ts';

export interface ResolvedRecipients {
  missionName: string;
  /** Addresses to mail now. */
  immediate: string[];
  /** Users who chose the daily digest, by id (their address with it). */
  digest: { userId: string; email: string }[];
}

/**
 * Who hears of an alert. Team members by their own preferences (severity, immediate or digest);
 * a mission's plain addresses get every alert at once unless the address is a user's, whose
 * preferences then apply. Unsubscribed addresses are dropped later, by the outbox.
 */
export class AlertRecipients {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly preferences: NotificationPreferencesService,
    private readonly missions: MissionRecipientsSource | undefined,
  ) {}

  async mission(alert: Alert): Promise<MissionRecipients> {
    const found = await this.missions?.recipientsOf(alert.missionId);
    return found ?? { missionName: alert.missionId, recipients: { teamIds: [alert.teamId], emails: [] } };
  }

  async primary(alert: Alert): Promise<ResolvedRecipients> {
    const mission = await this.mission(alert);
    return { missionName: mission.missionName, ...(await this.resolve(mission.recipients, alert.severity)) };
  }

  /** The second group: by severity, but at once even for digest readers (it is overdue already). */
  async escalation(alert: Alert): Promise<string[]> {
    const mission = await this.mission(alert);
    const group = mission.escalation ?? { teamIds: [], emails: (await notificationAudienceRepository.organizationAdmins(this.db, alert.orgId)).map((a) => a.email) };
    const r = await this.resolve(group, alert.severity);
    return unique([...r.immediate, ...r.digest.map((d) => d.email)]);
  }

  private async resolve(group: RecipientGroup, severity: Severity): Promise<Omit<ResolvedRecipients, 'missionName'>> {
    const emails = unique(group.emails.map((e) => e.trim().toLowerCase()));
    const people = [...(await notificationAudienceRepository.teamMembers(this.db, group.teamIds)), ...(await notificationAudienceRepository.byEmails(this.db, emails))];
    const byUser = new Map(people.map((p) => [p.userId, p]));
    const prefs = await this.preferences.forUsers([...byUser.keys()]);
    const immediate: string[] = [];
    const digest: { userId: string; email: string }[] = [];
    for (const [userId, person] of byUser) {
      const p = prefs.get(userId);
      if (p === undefined || !p.severities.includes(severity)) continue;
      if (p.delivery === 'digest') digest.push({ userId, email: person.email });
      else immediate.push(person.email);
    }
    // Plain addresses that are nobody's account: every alert, at once.
    const accounts = new Set(people.map((p) => p.email));
    immediate.push(...emails.filter((e) => !accounts.has(e)));
    return { immediate: unique(immediate), digest };
  }
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}
