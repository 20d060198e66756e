import type { Kysely } from 'kysely';
import { AppError } from '../../common/app-error.ts';
import type { Database } from '../../storage/database-schema.ts';
import { organizationRepository } from '../../storage/organization-repository.ts';
import type { Recipients } from './mission-model.ts';

/** Recipient teams must be teams of the mission's (template's) organization. */
export async function assertRecipientTeams(db: Kysely<Database>, orgId: string, recipients: Recipients): Promise<void> {
  for (const teamId of recipients.teamIds) {
    const team = await organizationRepository.findTeam(db, teamId);
    if (team?.org_id !== orgId) throw new AppError('invalid-request', `recipients.teamIds: ${teamId} is no team of this organization`);
  }
}
