import type { LinkContent } from '../types.ts';

/** A small deterministic room-temperature-like series for codec tests (the simulator has the real models). */
export function roomContent(serial: string, count: number, seed = 1): LinkContent {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = 21 + 1.5 * Math.sin((2 * Math.PI * i) / 144) + (rand() - 0.5) * 0.2;
    samples.push(Math.round(t * 10) / 10);
  }
  const valid = samples;
  return {
    serial,
    keyVersion: 1,
    session: 3,
    sessionStart: 1_760_000_000,
    sealedAt: 1_760_000_000 + count * 600 + 17,
    interval: 600,
    firstSeq: 0,
    channels: {
      temperature: {
        samples,
        summary: {
          min: Math.min(...valid),
          max: Math.max(...valid),
          limits: { low: 15, high: 25 },
          belowCount: 0,
          aboveCount: 0,
          alarm: { triggered: false, active: false },
        },
      },
    },
    battery: 93,
    flags: { clockReset: false, sensorFault: false, memoryWrapped: false, lowBattery: false },
  };
}
