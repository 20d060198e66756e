import type { AuthLayer } from '../auth/auth-layer.ts';
import type { HttpMetrics } from './http-metrics.ts';
import type { HttpServices } from './http-services.ts';
import type { LinkIntake } from './link-intake.ts';

/** What the routes share: built once per app in `build-app.ts`. */
export interface AppContext {
  services: HttpServices;
  intake: LinkIntake;
  metrics: HttpMetrics;
  /** How long after a scan its page shows the figures. */
  scanPageLifetimeMs: number;
  maxBatch: number;
  /** Unset: /metrics answers loopback clients only. */
  metricsToken: string | undefined;
  nowMs: () => number;
  /** Sign-in (its metrics, the provider's health for /readyz); absent in the bare ingestion app. */
  auth?: AuthLayer | undefined;
}
