import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Logger } from '../logger.ts';
import { deriveTestKey } from '../test-key.ts';
import { parseNabCsv } from './nab-csv.ts';
import { fromSeries } from './series.ts';

describe('fromSeries', () => {
  const env = fromSeries([10, 20, null, 40, 50], { start: 1000, interval: 100 });

  it('replays recorded values, linearly in between, and says nothing next to gaps or outside the recording', () => {
    expect(env.at(1000)).toEqual({ temperature: 10 });
    expect(env.at(1025)).toEqual({ temperature: 12.5 });
    expect(env.at(1100)).toEqual({ temperature: 20 });
    expect(env.at(1150)).toEqual({});
    expect(env.at(1200)).toEqual({});
    expect(env.at(1350)).toEqual({ temperature: 45 });
    expect(env.at(1400)).toEqual({ temperature: 50 });
    expect(env.at(999)).toEqual({});
    expect(env.at(1401)).toEqual({});
    expect(fromSeries([1, 2], { start: 0, interval: 1, channel: 'humidity' }).at(0)).toEqual({ humidity: 1 });
  });

  it('rejects values and options it cannot replay', () => {
    expect(() => fromSeries([1, NaN], { start: 0, interval: 1 })).toThrow(/value 1/);
    expect(() => fromSeries([1], { start: 0, interval: 0 })).toThrow(/interval/);
  });
});

describe('parseNabCsv', () => {
  it('converts °F to °C, leaves missing slots null and skips rows whose slot is taken', () => {
    const csv = 'timestamp,value\n2014-01-01 00:00:00,32\n2014-01-01 00:05:00,212\n2014-01-01 00:15:00,50\n2014-01-01 00:05:00,0\n';
    const s = parseNabCsv(csv);
    expect(s.start).toBe(Date.UTC(2014, 0, 1) / 1000);
    expect(s.interval).toBe(300);
    expect(s.values).toEqual([0, 100, null, 10]);
    expect(s.skippedRows).toBe(1);
    expect(parseNabCsv(csv, { unit: 'celsius' }).values).toEqual([32, 212, null, 50]);
  });

  it('says which line is wrong', () => {
    expect(() => parseNabCsv('timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05,2\n')).toThrow(/line 3/);
    expect(() => parseNabCsv('time,value\n')).toThrow(/first line/);
    expect(() => parseNabCsv('timestamp,value\n2014-01-01 00:00:00,1\n')).toThrow(/two rows/);
  });

  it('reads the real NAB office temperatures, which a logger then replays', () => {
    const text = readFileSync(new URL('../../../../datasets/nab/ambient_temperature_system_failure.csv', import.meta.url), 'utf8');
    const rows = text.trim().split('\n').length - 1;
    const s = parseNabCsv(text);
    expect(s.interval).toBe(3600);
    expect(s.start).toBe(Date.UTC(2013, 6, 4) / 1000);
    expect(s.values.filter((v) => v !== null).length).toBe(rows - s.skippedRows);
    const present = s.values.filter((v): v is number => v !== null);
    expect(Math.min(...present)).toBeGreaterThan(13);
    expect(Math.max(...present)).toBeLessThan(31);

    const logger = Logger.create({
      key: deriveTestKey(5, 'NAB1'),
      model: 'T',
      environment: fromSeries(s.values, s),
      start: s.start,
      interval: s.interval,
    });
    logger.advanceTo(s.start + (s.values.length - 1) * s.interval);
    const samples = logger.content().channels.temperature?.samples ?? [];
    expect(samples).toHaveLength(s.values.length);
    samples.forEach((v, i) => {
      const recorded = s.values[i];
      if (recorded === null || recorded === undefined) expect(v).toBeNull();
      else expect(Math.abs(Number(v) - recorded)).toBeLessThanOrEqual(0.05 + 1e-9);
    });
  });
});
