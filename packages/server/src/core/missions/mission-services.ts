import type { ReadingsService } from '../readings/readings-service.ts';
import type { MissionCoverageSource } from './mission-coverage.ts';
import type { MissionPublicLinks } from './mission-public-links.ts';
import type { MissionService } from './mission-service.ts';
import type { MissionTemplateService } from './mission-template-service.ts';

/** Missions, their templates and public links, and what alerts need of them; built once by app/open-mission-services.ts. */
export interface MissionServices {
  missions: MissionService;
  templates: MissionTemplateService;
  publicLinks: MissionPublicLinks;
  /** Logger periods by logger and time (alert evaluation). */
  coverage: MissionCoverageSource;
  /** The readings the consignee page charts. */
  readings: ReadingsService;
}
