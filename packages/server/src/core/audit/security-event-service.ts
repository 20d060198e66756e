import type { Kysely } from 'kysely';
import type { Database } from '../../storage/database-schema.ts';
import { securityEventRepository } from '../../storage/security-event-repository.ts';
import type { SecurityEvent, SecurityEventLog } from '../ingest/ingest-contract.ts';

/** Bounds on what a client controls, so a refusal cannot be used to fill the disk. */
const MAX_ADDRESS = 100;
const MAX_USER_AGENT = 512;

export function clip(value: string, max: number): string {
  return value.length <= max ? value : value.slice(0, max);
}

export class SecurityEventService implements SecurityEventLog {
  constructor(private readonly db: Kysely<Database>) {}

  async record(e: SecurityEvent): Promise<void> {
    await securityEventRepository.insert(this.db, {
      occurred_at: e.at.getTime(),
      reason: e.reason,
      source_address: clip(e.sourceAddress, MAX_ADDRESS),
      serial: e.serial === null ? null : clip(e.serial, 12),
      via: e.via ?? null,
      user_agent: e.userAgent == null ? null : clip(e.userAgent, MAX_USER_AGENT),
    });
  }
}

export const LIMITS = { MAX_ADDRESS, MAX_USER_AGENT };
