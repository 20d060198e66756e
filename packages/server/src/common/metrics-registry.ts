import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
  type Metric,
} from 'prom-client';

/**
 * The service's one Prometheus registry: every layer defines its metrics here (names `qrlog_*`,
 * units in the name, bounded label values: never a serial, an address or a user id) and /metrics
 * renders it. Defining a metric that already exists returns the existing one, so a module built
 * twice on the same services (the API document's in-process app, tests) shares its counters
 * instead of failing. Tests and several servers in one process each get their own registry.
 */
export class MetricsRegistry {
  readonly registry = new Registry();

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: '' });
  }

  counter<L extends string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    const found = this.existing(config.name);
    if (found === undefined) return new Counter({ ...config, registers: [this.registry] });
    if (found instanceof Counter) return found;
    throw kindClash(config.name);
  }

  gauge<L extends string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    const found = this.existing(config.name);
    if (found === undefined) return new Gauge({ ...config, registers: [this.registry] });
    if (found instanceof Gauge) return found;
    throw kindClash(config.name);
  }

  histogram<L extends string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    const found = this.existing(config.name);
    if (found === undefined) return new Histogram({ ...config, registers: [this.registry] });
    if (found instanceof Histogram) return found;
    throw kindClash(config.name);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private existing(name: string): Metric | undefined {
    return this.registry.getSingleMetric(name);
  }
}

function kindClash(name: string): Error {
  return new Error(`metric ${name} is already registered as another type`);
}

/** Latency buckets (seconds) shared by the request, ingestion and database histograms. */
export const LATENCY_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
