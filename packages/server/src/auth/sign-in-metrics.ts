import type { Counter, Gauge, Registry } from 'prom-client';
import { MetricsRegistry } from '../common/metrics-registry.ts';

/** What the provider was asked: its discovery document, its keys, a code redemption, userinfo. */
export type ProviderCheck = 'discovery' | 'jwks' | 'token' | 'userinfo';

/**
 * Sign-in's Prometheus metrics, in the service's one registry (rendered at /metrics): completed and refused browser sign-ins, refused bearer tokens, both by
 * reason (fixed words, never a claim's value), and whether the provider answered each kind of
 * request the last time it was asked.
 */
export class SignInMetrics {
  /** The registry the counters are in: the service's one, or (alone in a test) one of their own. */
  readonly registry: Registry;
  private readonly signIns: Counter<'result' | 'reason'>;
  private readonly tokenRefusals: Counter<'reason'>;
  private readonly tokensAccepted: Counter<'kind'>;
  private readonly providerUp: Gauge<'check'>;
  private readonly providerRequests: Counter<'check' | 'result'>;

  constructor(metrics: MetricsRegistry = new MetricsRegistry({ processMetrics: false })) {
    this.registry = metrics.registry;
    this.signIns = metrics.counter({
      name: 'qrlog_sign_ins_total',
      help: 'Browser sign-ins: result signed-in, refused (the provider vouched for someone who may not come in) or failed (the flow did not complete), by reason',
      labelNames: ['result', 'reason'],
    });
    this.tokenRefusals = metrics.counter({
      name: 'qrlog_access_token_refusals_total',
      help: 'Bearer access tokens refused, by reason',
      labelNames: ['reason'],
    });
    this.tokensAccepted = metrics.counter({
      name: 'qrlog_access_tokens_accepted_total',
      help: 'Bearer access tokens accepted, by what they name (user, machine-client, api-key)',
      labelNames: ['kind'],
    });
    this.providerUp = metrics.gauge({
      name: 'qrlog_oidc_provider_up',
      help: '1 when the identity provider answered the last request of this kind, 0 when it did not',
      labelNames: ['check'],
    });
    this.providerRequests = metrics.counter({
      name: 'qrlog_oidc_provider_requests_total',
      help: 'Requests to the identity provider, by kind and result (ok, failed)',
      labelNames: ['check', 'result'],
    });
  }

  signedIn(): void {
    this.signIns.inc({ result: 'signed-in', reason: 'ok' });
  }

  refused(reason: string): void {
    this.signIns.inc({ result: 'refused', reason });
  }

  failed(reason: string): void {
    this.signIns.inc({ result: 'failed', reason });
  }

  tokenRefused(reason: string): void {
    this.tokenRefusals.inc({ reason });
  }

  tokenAccepted(kind: 'user' | 'machine-client' | 'api-key'): void {
    this.tokensAccepted.inc({ kind });
  }

  provider(check: ProviderCheck, ok: boolean): void {
    this.providerUp.set({ check }, ok ? 1 : 0);
    this.providerRequests.inc({ check, result: ok ? 'ok' : 'failed' });
  }
}
