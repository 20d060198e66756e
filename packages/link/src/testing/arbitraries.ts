import fc from 'fast-check';
import type { ChannelSummary, LinkContent, Sample, SampledChannelName } from '../types.ts';

/** fast-check generators of valid link content, extremes, gaps and faults included. Test-only. */
const RANGES: Record<SampledChannelName, { min: number; max: number; k: number }> = {
  temperature: { min: -400, max: 1500, k: 10 },
  humidity: { min: 0, max: 1000, k: 10 },
  light: { min: 0, max: 200_000, k: 1 },
};

function stepsArb(name: SampledChannelName): fc.Arbitrary<number> {
  const r = RANGES[name];
  return fc.oneof(fc.integer({ min: r.min, max: r.max }), fc.constantFrom(r.min, r.max, 0));
}

function seriesArb(name: SampledChannelName, count: number): fc.Arbitrary<Sample[]> {
  const r = RANGES[name];
  const step: fc.Arbitrary<Sample | number> = fc.oneof(
    { weight: 20, arbitrary: fc.integer({ min: -2, max: 2 }) },
    { weight: 2, arbitrary: fc.integer({ min: -(r.max - r.min), max: r.max - r.min }) },
    { weight: 1, arbitrary: fc.constantFrom<Sample>(null, 'fault') },
  );
  return fc.tuple(stepsArb(name), fc.array(step, { minLength: count, maxLength: count })).map(([start, steps]) => {
    let v = start;
    return steps.map((s): Sample => {
      if (s === null || s === 'fault') return s;
      v = Math.min(r.max, Math.max(r.min, v + s));
      return v / r.k;
    });
  });
}

function summaryArb(name: SampledChannelName): fc.Arbitrary<ChannelSummary> {
  const r = RANGES[name];
  return fc
    .record({
      a: stepsArb(name),
      b: stepsArb(name),
      limits: fc.option(fc.tuple(stepsArb(name), stepsArb(name)), { nil: null }),
      below: fc.nat(20_000),
      above: fc.nat(20_000),
      hasMinMax: fc.boolean(),
      triggered: fc.boolean(),
      active: fc.boolean(),
    })
    .map((x) => ({
      min: x.hasMinMax ? Math.min(x.a, x.b) / r.k : null,
      max: x.hasMinMax ? Math.max(x.a, x.b) / r.k : null,
      limits: x.limits ? { low: Math.min(...x.limits) / r.k, high: Math.max(...x.limits) / r.k } : null,
      belowCount: x.limits ? x.below : 0,
      aboveCount: x.limits ? x.above : 0,
      alarm: { triggered: x.triggered, active: x.active },
    }));
}

export function linkContentArb(options: { maxSamples?: number } = {}): fc.Arbitrary<LinkContent> {
  const maxSamples = options.maxSamples ?? 300;
  return fc
    .record({
      serial: fc.stringMatching(/^[0-9A-Z]{1,12}$/),
      keyVersion: fc.integer({ min: 0, max: 15 }),
      session: fc.oneof(fc.nat(1000), fc.constant(Number.MAX_SAFE_INTEGER)),
      sessionStart: fc.integer({ min: 0, max: 4_102_444_800 }),
      sealDelay: fc.nat(400_000_000),
      interval: fc.oneof(fc.constantFrom(1, 60, 600, 3600), fc.integer({ min: 1, max: 86_400 })),
      firstSeq: fc.nat(10_000_000),
      count: fc.nat(maxSamples),
      names: fc.subarray<SampledChannelName>(['temperature', 'humidity', 'light']),
      withShock: fc.boolean(),
      battery: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
      flags: fc.record({ clockReset: fc.boolean(), sensorFault: fc.boolean(), memoryWrapped: fc.boolean(), lowBattery: fc.boolean() }),
    })
    .chain((h) =>
      fc
        .record({
          channels: fc.tuple(...h.names.map((n) => fc.record({ samples: seriesArb(n, h.count), summary: summaryArb(n) }))),
          shock: fc.array(fc.record({ dt: fc.nat(100_000), x: fc.nat(2000), y: fc.nat(2000), z: fc.nat(2000) }), { maxLength: 20 }),
          shockFirst: fc.nat(5000),
          shockExtra: fc.nat(100),
        })
        .map((d): LinkContent => {
          const channels: LinkContent['channels'] = {};
          h.names.forEach((n, i) => {
            const ch = d.channels[i];
            if (ch) channels[n] = ch;
          });
          let t = h.sessionStart;
          const content: LinkContent = {
            serial: h.serial,
            keyVersion: h.keyVersion,
            session: h.session,
            sessionStart: h.sessionStart,
            sealedAt: h.sessionStart + h.sealDelay,
            interval: h.interval,
            firstSeq: h.firstSeq,
            channels,
            battery: h.battery,
            flags: h.flags,
          };
          if (h.withShock) {
            content.shock = {
              totalEvents: d.shock.length + d.shockExtra,
              events: d.shock.map((e, i) => ({ seq: d.shockFirst + i, time: (t += e.dt), peak: { x: e.x / 10, y: e.y / 10, z: e.z / 10 } })),
            };
          }
          return content;
        }),
    );
}

/**
 * Like linkContentArb, but each channel repeats a random pattern (period 1–60 samples, a day at
 * most of a short window) with a little noise, keeping the gaps and faults of the base content:
 * series on which format 2's encoder picks seasonal models, so every model gets exercised.
 */
export function periodicContentArb(): fc.Arbitrary<LinkContent> {
  return fc
    .tuple(
      linkContentArb({ maxSamples: 400 }),
      fc.array(fc.integer({ min: -300, max: 300 }), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: -400, max: 200_000 }),
    )
    .map(([content, pattern, center]) => {
      for (const [name, ch] of Object.entries(content.channels) as [SampledChannelName, { samples: Sample[] }][]) {
        const r = RANGES[name];
        ch.samples = ch.samples.map((s, i): Sample => {
          if (s === null || s === 'fault') return s;
          const noise = (Math.round(s * r.k) % 3) - 1;
          const steps = Math.min(r.max, Math.max(r.min, center + (pattern[i % pattern.length] ?? 0) + noise));
          return steps / r.k;
        });
      }
      return content;
    });
}
