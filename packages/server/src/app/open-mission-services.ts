import { MissionPublicLinks } from '../core/missions/mission-public-links.ts';
import { MissionService } from '../core/missions/mission-service.ts';
import type { MissionServices } from '../core/missions/mission-services.ts';
import { MissionTemplateService } from '../core/missions/mission-template-service.ts';
import { StoredMissionCoverage } from '../core/missions/stored-mission-coverage.ts';
import type { ReadingsService } from '../core/readings/readings-service.ts';
import type { TenancyServices } from '../core/tenancy/tenancy-services.ts';
import type { DatabaseHandle } from '../storage/database-handle.ts';

/** One of each mission service, over the tenancy services' audit log, access resolver and hashing key. */
export function openMissionServices(database: DatabaseHandle, tenancy: TenancyServices, readings: ReadingsService, now: () => Date, notice: (message: string) => void): MissionServices {
  return {
    missions: new MissionService(database, tenancy.audit, tenancy.resolver, { now, onListenerError: notice }),
    templates: new MissionTemplateService(database, tenancy.audit, now),
    // Opening sources are logged as a digest keyed with the service's own pepper: an IPv4 address hashed without a key is found by trying them all.
    publicLinks: new MissionPublicLinks(database, tenancy.audit, { now, digestKey: async () => (await tenancy.authKeys.pepper()).key }),
    coverage: new StoredMissionCoverage(database.db),
    readings,
  };
}
