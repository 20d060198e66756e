import type { MetricsRegistry } from './metrics-registry.ts';

/** One thing the service depends on, asked whether it works now. */
export interface DependencyCheck {
  /** A fixed word (`database`, `kek`, `identity-provider`, `backup-store`, `smtp`): a label value and a key of /readyz's body. */
  readonly name: string;
  /** Resolves `{ up: false, problem }` (or rejects) when it does not; `problem` goes to the log, never to /readyz's public body. */
  probe(): Promise<DependencyState>;
}

export interface DependencyState {
  up: boolean;
  problem?: string;
}

export interface ReadinessReport {
  /** Every required dependency answered: the instance can take scans. */
  ready: boolean;
  /** Each dependency: `ok`, `down` (a required one: not ready) or `degraded` (a side one: still ready). */
  dependencies: Record<string, 'ok' | 'down' | 'degraded'>;
  /** Why the ones not ok are not, for the log. */
  problems: Record<string, string>;
}

/** How long one check may take before it counts as down. */
const CHECK_TIMEOUT_MS = 2_000;

/**
 * What /readyz answers: "can this instance take scans?". Required checks (the database and the
 * KEK) decide it; side checks (identity provider, backup store, SMTP: registered by the
 * composition root and by whoever adds a dependency) are reported as degraded without making the
 * instance unready, so a load balancer never pulls every instance because a side service is down.
 * Each report also sets `qrlog_dependency_up` and `qrlog_ready`, and a scrape of /metrics makes
 * one, so the alerts see the same answer as the load balancer.
 */
export class Readiness {
  private readonly required: DependencyCheck[] = [];
  private readonly side: DependencyCheck[] = [];
  private pending: Promise<ReadinessReport> | undefined;

  constructor(
    metrics?: MetricsRegistry,
    private readonly timeoutMs = CHECK_TIMEOUT_MS,
  ) {
    if (metrics === undefined) return;
    const report = (): Promise<ReadinessReport> => this.sharedReport();
    const isRequired = (name: string): boolean => this.isRequired(name);
    metrics.gauge({
      name: 'qrlog_dependency_up',
      help: '1 when a dependency answered its last check, 0 when not; required="true" ones (database, kek) decide readiness',
      labelNames: ['dependency', 'required'],
      async collect() {
        const now = await report();
        for (const [name, state] of Object.entries(now.dependencies)) {
          this.set({ dependency: name, required: String(isRequired(name)) }, state === 'ok' ? 1 : 0);
        }
      },
    });
    metrics.gauge({
      name: 'qrlog_ready',
      help: '1 when the instance can take scans (its required dependencies answer), as /readyz says',
      async collect() {
        this.set((await report()).ready ? 1 : 0);
      },
    });
  }

  /** A dependency without which no scan can be taken (unready: 503). */
  requireCheck(check: DependencyCheck): void {
    this.remove(check.name);
    this.required.push(check);
  }

  /** A side dependency: reported as degraded, never unready. A check of the same name is replaced (sign-in opened again). */
  addSideCheck(check: DependencyCheck): void {
    this.remove(check.name);
    this.side.push(check);
  }

  /** Ready or not (the required checks only). */
  async check(): Promise<boolean> {
    const states = await Promise.all(this.required.map((c) => this.run(c)));
    return states.every((s) => s.up);
  }

  async report(): Promise<ReadinessReport> {
    const all = [...this.required, ...this.side];
    const states = await Promise.all(all.map((c) => this.run(c)));
    const dependencies: ReadinessReport['dependencies'] = {};
    const problems: Record<string, string> = {};
    let ready = true;
    all.forEach((c, i) => {
      const state = states[i] ?? { up: false };
      const required = this.isRequired(c.name);
      if (!state.up && required) ready = false;
      dependencies[c.name] = state.up ? 'ok' : required ? 'down' : 'degraded';
      if (!state.up) problems[c.name] = state.problem ?? 'no answer';
    });
    return { ready, dependencies, problems };
  }

  /** One report for the gauges of one scrape, however many ask while it runs. */
  private sharedReport(): Promise<ReadinessReport> {
    this.pending ??= this.report().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private isRequired(name: string): boolean {
    return this.required.some((c) => c.name === name);
  }

  private remove(name: string): void {
    for (const list of [this.required, this.side]) {
      const i = list.findIndex((c) => c.name === name);
      if (i >= 0) list.splice(i, 1);
    }
  }

  private async run(check: DependencyCheck): Promise<DependencyState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DependencyState>((resolve) => {
      timer = setTimeout(() => { resolve({ up: false, problem: `no answer within ${String(this.timeoutMs)} ms` }); }, this.timeoutMs);
    });
    try {
      return await Promise.race([check.probe(), timeout]);
    } catch (e) {
      return { up: false, problem: e instanceof Error ? e.message : String(e) };
    } finally {
      clearTimeout(timer);
    }
  }
}
