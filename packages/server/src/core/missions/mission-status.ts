import { AppError } from '../../common/app-error.ts';
import type { MissionStatus } from './mission-coverage.ts';

/** The one way a mission goes: each status has one next, and none goes back. */
const NEXT: Record<MissionStatus, MissionStatus | null> = {
  planned: 'in-transit',
  'in-transit': 'delivered',
  delivered: 'closed',
  closed: null,
};

/** Throws a clear 409 unless `to` is the status that follows `from`. */
export function assertNextStatus(from: MissionStatus, to: MissionStatus): void {
  if (NEXT[from] === to) return;
  const next = NEXT[from];
  if (from === to) throw new AppError('conflict', `the mission is ${from} already`, { reason: 'status-unchanged' });
  throw new AppError(
    'conflict',
    next === null ? `the mission is ${from}: its status does not change any more` : `a ${from} mission can only go ${next} next (statuses only go forward: planned, in-transit, delivered, closed)`,
    { reason: 'status-order' },
  );
}
