import type { MissionRule } from '../alerts/mission-rule.ts';

export type MissionStatus = 'planned' | 'in-transit' | 'delivered' | 'closed';

/**
 * One logger's period in one mission, with the mission's rules: what alert evaluation needs to know
 * about missions. A logger serves many missions over its life, never two at once, so periods of the
 * same logger never overlap.
 */
export interface MissionCoverage {
  missionId: string;
  organizationId: string;
  teamId: string;
  /** The logger's serial (loggers are keyed by serial). */
  serial: string;
  /** The logger's readings from `from` (inclusive) up to `to` (exclusive; null = still open) belong to the mission. */
  from: Date;
  to: Date | null;
  status: MissionStatus;
  rules: MissionRule[];
}

export interface MissionCoverageSource {
  /** Periods of this logger that overlap [from, to). */
  coveringLogger(serial: string, from: Date, to: Date): Promise<MissionCoverage[]>;
  /** Every logger period of every mission in transit (for arrival rules such as "no scan for X"). */
  inTransit(): Promise<MissionCoverage[]>;
}
