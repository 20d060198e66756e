import type { MissionCoverage, MissionCoverageSource } from '../core/missions/mission-coverage.ts';

/**
 * Test support (not a test): a real, small implementation of the missions' port over a fixed
 * list of logger periods (the missions' own storage implements it for the service).
 */
export class FixedMissionCoverage implements MissionCoverageSource {
  constructor(public periods: MissionCoverage[] = []) {}

  coveringLogger(serial: string, from: Date, to: Date): Promise<MissionCoverage[]> {
    return Promise.resolve(this.periods.filter((p) => p.serial === serial && p.from < to && (p.to === null || from < p.to)));
  }

  inTransit(): Promise<MissionCoverage[]> {
    return Promise.resolve(this.periods.filter((p) => p.status === 'in-transit'));
  }
}
