import type { Generated } from 'kysely';

/**
 * Sources blocked from the scan routes for flooding forged links (core/defense, migration 0025).
 * A row is made when a block starts and changes only when an operator releases it by hand (the
 * release columns) or when instances add the requests it refused (`blocked_requests`): the
 * history of blocks stays, and repeated blocks of one source last longer.
 */
export interface SourceBlocksTable {
  id: Generated<number>;
  /** The source as the rate limiter keys it: an IPv4 address or an IPv6 /64 (`2001:db8:0:1::/64`). */
  source: string;
  /** Which routes: 'scan' (the link route and the batch API). */
  scope: string;
  /** Why: 'forged-links'. */
  reason: string;
  created_at: number;
  /** Unix ms; the block ends by itself then. */
  blocked_until: number;
  /** 0 for a first block; n for the n-th repeat within a day (the duration doubles each time). */
  level: number;
  /** Refused links within the detection window when the block started. */
  refusals: number;
  /** Requests refused while it held (added up by each instance every few seconds). */
  blocked_requests: Generated<number>;
  released_at: number | null;
  /** User id of the operator who released it. */
  released_by: string | null;
  release_comment: string | null;
}

export interface DefenseTables {
  source_blocks: SourceBlocksTable;
}
