import { Counter, Gauge, Registry } from 'prom-client';

/** What the provider was asked: its discovery document, its keys, a code redemption, userinfo. */
export type ProviderCheck = 'discovery' | 'jwks' | 'token' | 'userinfo';

/**
 * Sign-in's Prometheus metrics, in a registry of their own (the HTTP layer renders it beside
 * its own at /metrics): completed and refused browser sign-ins, refused bearer tokens, both by
 * reason (fixed words, never a claim's value), and whether the provider answered each kind of
 * request the last time it was asked.
 */
export class SignInMetrics {
  readonly registry = new Registry();
  private readonly signIns: Counter<'result' | 'reason'>;
  private readonly tokenRefusals: Counter<'reason'>;
  private readonly tokensAccepted: Counter<'kind'>;
  private readonly providerUp: Gauge<'check'>;
  private readonly providerRequests: Counter<'check' | 'result'>;

  constructor() {
    this.signIns = new Counter({
      name: 'qrlog_sign_ins_total',
      help: 'Browser sign-ins: result signed-in, refused (the provider vouched for someone who may not come in) or failed (the flow did not complete), by reason',
      labelNames: ['result', 'reason'],
      registers: [this.registry],
    });
    this.tokenRefusals = new Counter({
      name: 'qrlog_access_token_refusals_total',
      help: 'Bearer access tokens refused, by reason',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.tokensAccepted = new Counter({
      name: 'qrlog_access_tokens_accepted_total',
      help: 'Bearer access tokens accepted, by what they name (user, machine-client, api-key)',
      labelNames: ['kind'],
      registers: [this.registry],
    });
    this.providerUp = new Gauge({
      name: 'qrlog_oidc_provider_up',
      help: '1 when the identity provider answered the last request of this kind, 0 when it did not',
      labelNames: ['check'],
      registers: [this.registry],
    });
    this.providerRequests = new Counter({
      name: 'qrlog_oidc_provider_requests_total',
      help: 'Requests to the identity provider, by kind and result (ok, failed)',
      labelNames: ['check', 'result'],
      registers: [this.registry],
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
