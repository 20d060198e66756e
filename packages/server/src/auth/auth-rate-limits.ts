import { addressKey } from '../common/address-key.ts';
import { RateLimiter } from '../common/rate-limiter.ts';
import type { MetricsRegistry } from '../common/metrics-registry.ts';
import { rateLimitMeter } from '../common/rate-limit-metrics.ts';
import type { AuthRateLimitSettings } from './auth-settings.ts';

/**
 * Per-address limits on the endpoints that take credentials or start sign-ins. In memory and
 * per process, like the scan limits: they make guessing and flooding slow, they are not exact.
 */
export class AuthRateLimits {
  private readonly signIn: RateLimiter;
  private readonly token: RateLimiter;
  private readonly tokenFailures: RateLimiter;

  constructor(settings: AuthRateLimitSettings, nowMs: () => number = Date.now, metrics?: MetricsRegistry) {
    this.signIn = new RateLimiter(settings.signIn, nowMs, undefined, rateLimitMeter(metrics, 'sign-in'));
    this.token = new RateLimiter(settings.token, nowMs, undefined, rateLimitMeter(metrics, 'token'));
    this.tokenFailures = new RateLimiter(settings.tokenFailures, nowMs, undefined, rateLimitMeter(metrics, 'token-failures'));
  }

  /** A sign-in start or callback from `address`; false when over the limit. */
  takeSignIn(address: string): boolean {
    return this.signIn.take(addressKey(address));
  }

  /** A token request from `address`: refused while the address has used up its failures, or over the rate. */
  takeToken(address: string): boolean {
    const key = addressKey(address);
    return this.tokenFailures.peek(key) && this.token.take(key);
  }

  /** A token request from `address` presented wrong credentials. */
  noteTokenFailure(address: string): void {
    this.tokenFailures.take(addressKey(address));
  }
}
