import { openParsedLink, parseLink } from '@qrlog/link';
import type { Kysely } from 'kysely';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { Database } from '../../storage/database-schema.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';
import { payloadDigits } from '../../storage/link-payload.ts';
import { mergeReadings, type MergeOutcome } from '../ingest/reading-merge.ts';

export interface ReplayOptions {
  /** Where the readings are derived into (the same database for a rebuild, a scratch one for a check). */
  into: Kysely<Database>;
  /**
   * A link that does not open (no key, a changed payload): 'throw' stops the replay (rebuild must
   * not leave a logger half-derived), 'skip' goes on (a check leaves it to the evidence verifier).
   */
  unopenable: 'throw' | 'skip';
}

/**
 * Derives a logger's readings from its evidence, in chain order, with the ingestion's own merge:
 * what `readings rebuild` writes and `verify` compares. Reads evidence and keys from `from`.
 */
export async function replayEvidence(
  from: Kysely<Database>,
  keys: LoggerKeyStore,
  serial: string,
  o: ReplayOptions,
): Promise<{ links: number; events: MergeOutcome['events'] }> {
  let links = 0;
  const events: MergeOutcome['events'] = [];
  for (let after = -1; ; ) {
    const page = await evidenceRepository.page(from, serial, after, 200);
    if (page.length === 0) break;
    for (const e of page) {
      after = e.chain_index;
      links++;
      let content;
      try {
        const parsed = parseLink(payloadDigits(e.payload));
        const lookup = await keys.lookup(serial, parsed.header.keyVersion, from);
        if (lookup.status !== 'found') throw new Error(`${serial}: no key version ${String(parsed.header.keyVersion)} for evidence ${String(e.chain_index)}`);
        content = openParsedLink(parsed, lookup.key);
      } catch (err) {
        if (o.unopenable === 'throw') throw err;
        continue;
      }
      const merge = await mergeReadings(o.into, content, { serial, chainIndex: e.chain_index, detectedAt: e.received_at, write: true });
      events.push(...merge.events);
    }
  }
  return { links, events };
}
