import type { Kysely } from 'kysely';
import type { MissionRule } from '../alerts/mission-rule.ts';
import type { Database } from '../../storage/database-schema.ts';
import { missionRepository, type MissionPeriodRow } from '../../storage/mission-repository.ts';
import type { MissionCoverage, MissionCoverageSource } from './mission-coverage.ts';

/** Missions' logger periods as alert evaluation sees them, read from the database. */
export class StoredMissionCoverage implements MissionCoverageSource {
  constructor(private readonly db: Kysely<Database>) {}

  async coveringLogger(serial: string, from: Date, to: Date): Promise<MissionCoverage[]> {
    if (to.getTime() <= from.getTime()) return [];
    return (await missionRepository.overlapping(this.db, serial, from.getTime(), to.getTime())).map(toCoverage);
  }

  async inTransit(): Promise<MissionCoverage[]> {
    return (await missionRepository.periodsWithStatus(this.db, 'in-transit')).map(toCoverage);
  }
}

function toCoverage(row: MissionPeriodRow): MissionCoverage {
  return {
    missionId: row.mission_id,
    organizationId: row.org_id,
    teamId: row.team_id,
    serial: row.serial,
    from: new Date(row.from_ms),
    to: row.to_ms === null ? null : new Date(row.to_ms),
    status: row.status,
    // Validated by the mission-rule schema when they entered (API or template); stored as given.
    rules: JSON.parse(row.rules) as MissionRule[],
  };
}
