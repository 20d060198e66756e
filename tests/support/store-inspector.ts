import { openServices, type Services } from '../../packages/server/src/index.ts';
import type { DatabaseHandle } from '../../packages/server/src/storage/database-handle.ts';
import { openDatabase } from '../../packages/server/src/storage/open-database.ts';
import { integrityEventRepository } from '../../packages/server/src/storage/integrity-event-repository.ts';
import { scanRepository } from '../../packages/server/src/storage/scan-repository.ts';
import { securityEventRepository } from '../../packages/server/src/storage/security-event-repository.ts';
import type { ServerStore } from './test-engines.ts';

/**
 * Looks into what a server process stored, through the services and the storage layer's own
 * queries (never the HTTP answers): readings, scans, the security log, integrity events.
 */
export class StoreInspector {
  private constructor(
    private readonly services: Services,
    private readonly database: DatabaseHandle,
  ) {}

  static async open(store: ServerStore): Promise<StoreInspector> {
    const config = { dataDir: store.dataDir, databaseUrl: store.databaseUrl };
    const services = await openServices({ ...config, notice: () => undefined });
    const database = await openDatabase(config);
    return new StoreInspector(services, database);
  }

  /** Every stored sampled reading of a logger: `channel/seq` → value. */
  async readings(serial: string): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    const exported = await this.services.readings.export(serial);
    for (const channel of exported.channels) for (const r of channel.readings) out.set(`${channel.name}/${String(r.seq)}`, r.v);
    return out;
  }

  scans(serial: string) {
    return scanRepository.listForLogger(this.database.db, serial);
  }

  async securityEvents() {
    return (await securityEventRepository.recent(this.database.db, 10_000)).reverse();
  }

  integrityEvents(serial: string) {
    return integrityEventRepository.listForLogger(this.database.db, serial);
  }

  async close(): Promise<void> {
    await this.services.close();
    await this.database.close();
  }
}
