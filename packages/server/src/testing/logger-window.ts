import type { ChannelSummary, LinkContent, Sample } from '@qrlog/link';

export interface WindowOptions {
  serial: string;
  keyVersion?: number;
  session?: number;
  /** Unix seconds of seq 0. */
  sessionStart: number;
  interval?: number;
  firstSeq: number;
  count: number;
  /** Unix seconds the link was sealed; default: just after the last sample. */
  sealedAt?: number;
  /** Added to the temperature at these sequence numbers: makes a link that disagrees with others. */
  alter?: ReadonlyMap<number, number>;
}

/**
 * The readings a logger holds for a window of sequence numbers, as a link would carry them.
 * Values are a function of (serial, seq) only, so two windows of the same logger that overlap
 * agree on every shared reading, as successive scans of a real logger do.
 */
export function loggerWindow(o: WindowOptions): LinkContent {
  const interval = o.interval ?? 600;
  const temperature: Sample[] = [];
  const humidity: Sample[] = [];
  for (let i = 0; i < o.count; i++) {
    const seq = o.firstSeq + i;
    const base = temperatureAt(o.serial, seq) + (o.alter?.get(seq) ?? 0);
    temperature.push(Math.round(base * 10) / 10);
    humidity.push(Math.round((45 + 10 * Math.sin(seq / 37)) * 10) / 10);
  }
  return {
    serial: o.serial,
    keyVersion: o.keyVersion ?? 1,
    session: o.session ?? 1,
    sessionStart: o.sessionStart,
    sealedAt: o.sealedAt ?? o.sessionStart + (o.firstSeq + o.count) * interval + 5,
    interval,
    firstSeq: o.firstSeq,
    channels: {
      temperature: { samples: temperature, summary: summary(temperature) },
      humidity: { samples: humidity, summary: summary(humidity) },
    },
    battery: 90,
    flags: { clockReset: false, sensorFault: false, memoryWrapped: false, lowBattery: false },
  };
}

/** A cold-chain-like temperature: a daily swing around 5 °C plus a per-logger offset. */
function temperatureAt(serial: string, seq: number): number {
  let h = 0;
  for (const c of serial) h = (h * 31 + c.charCodeAt(0)) % 1000;
  return 5 + (h % 20) / 10 + 1.5 * Math.sin((2 * Math.PI * seq) / 144) + ((seq * 7919) % 11) / 50;
}

function summary(samples: Sample[]): ChannelSummary {
  const numbers = samples.filter((s): s is number => typeof s === 'number');
  return {
    min: numbers.length > 0 ? Math.min(...numbers) : null,
    max: numbers.length > 0 ? Math.max(...numbers) : null,
    limits: null,
    belowCount: 0,
    aboveCount: 0,
    alarm: { triggered: false, active: false },
  };
}
