import type { MetricsRegistry } from './metrics-registry.ts';
import type { RateLimitMeter } from './rate-limiter.ts';

/**
 * Rate-limit decisions as a counter by limiter name (a fixed word chosen where the limiter is
 * built, e.g. `scan-source`, `sign-in`) and decision (allowed, limited). `peek` is not a decision.
 */
export function rateLimitMeter(metrics: MetricsRegistry | undefined, limiter: string): RateLimitMeter | undefined {
  if (metrics === undefined) return undefined;
  const decisions = metrics.counter({
    name: 'qrlog_rate_limit_decisions_total',
    help: 'Requests a rate limiter decided on, by limiter and decision (allowed, limited)',
    labelNames: ['limiter', 'decision'],
  });
  const allowed = decisions.labels({ limiter, decision: 'allowed' });
  const limited = decisions.labels({ limiter, decision: 'limited' });
  return { decided: (ok) => { (ok ? allowed : limited).inc(); } };
}
