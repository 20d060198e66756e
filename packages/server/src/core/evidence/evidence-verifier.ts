import { isLinkError, openParsedLink, parseLink, type ParsedLink } from '@qrlog/link';
import type { Kysely } from 'kysely';
import type { LoggerKeyStore } from '../../keys/logger-key-store.ts';
import type { Database } from '../../storage/database-schema.ts';
import { evidenceRepository } from '../../storage/evidence-repository.ts';
import { payloadDigits } from '../../storage/link-payload.ts';
import { loggerRepository } from '../../storage/logger-repository.ts';
import { chainHash, CHAIN_START, linkDigest } from './evidence-chain.ts';

export interface ChainProblem {
  chainIndex: number;
  problem: string;
}

export interface ChainReport {
  serial: string;
  links: number;
  ok: boolean;
  problems: ChainProblem[];
}

/** `qrlog verify`: recomputes every logger's hash chain and re-opens every stored link. */
export class EvidenceVerifier {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly keys: LoggerKeyStore,
  ) {}

  async verify(serial?: string): Promise<ChainReport[]> {
    const serials = await loggerRepository.listSerials(this.db, serial);
    const reports: ChainReport[] = [];
    for (const s of serials) reports.push(await this.verifyLogger(s));
    return reports;
  }

  private async verifyLogger(serial: string): Promise<ChainReport> {
    const report: ChainReport = { serial, links: 0, ok: true, problems: [] };
    const problem = (chainIndex: number, text: string) => {
      report.ok = false;
      report.problems.push({ chainIndex, problem: text });
    };
    let prevHash: Uint8Array = CHAIN_START;
    let expected = 0;
    for (;;) {
      const page = await evidenceRepository.page(this.db, serial, expected - 1, 500);
      if (page.length === 0) break;
      for (const e of page) {
        report.links++;
        if (e.chain_index !== expected) problem(e.chain_index, `chain index ${String(expected)} is missing`);
        expected = e.chain_index + 1;
        let digits: string;
        try {
          digits = payloadDigits(e.payload);
        } catch {
          problem(e.chain_index, 'stored payload is not a link');
          prevHash = e.hash;
          continue;
        }
        const hash = chainHash(prevHash, { digits, receivedAt: e.received_at, prefix: e.prefix, via: e.via, sourceAddress: e.source_address });
        if (!hash.equals(e.hash)) problem(e.chain_index, 'hash does not match: the link, its arrival or the chain before it was changed');
        if (!linkDigest(digits).equals(e.link_digest)) problem(e.chain_index, 'link digest does not match the link');
        // Continue from the stored hash, so one broken link is reported once, not for every later one.
        prevHash = e.hash;
        const opened = await this.reopen(serial, digits);
        if (opened !== null) problem(e.chain_index, opened);
      }
    }
    return report;
  }

  /** Null when the link opens with the logger's key; else why not. */
  private async reopen(serial: string, digits: string): Promise<string | null> {
    let parsed: ParsedLink;
    try {
      parsed = parseLink(digits);
    } catch (e) {
      return `link does not parse (${isLinkError(e) ? e.code : 'error'})`;
    }
    if (parsed.header.serial !== serial) return `link belongs to serial ${parsed.header.serial}`;
    let lookup;
    try {
      lookup = await this.keys.lookup(serial, parsed.header.keyVersion);
    } catch (e) {
      return e instanceof Error ? e.message : 'key does not open';
    }
    if (lookup.status !== 'found') return `no key version ${String(parsed.header.keyVersion)} for this logger`;
    try {
      openParsedLink(parsed, lookup.key);
      return null;
    } catch (e) {
      return `link does not open (${isLinkError(e) ? e.code : 'error'})`;
    }
  }
}
