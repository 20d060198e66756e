import { DEFAULT_FORMAT_VERSION, LinkError, openLink, parseLink } from '@qrlog/link';
import { describe, expect, it } from 'vitest';
import { coldChainTrip } from './environments/cold-chain-trip.ts';
import { room } from './environments/room.ts';
import { Logger } from './logger.ts';
import { deriveTestKey } from './test-key.ts';
import { INTERVAL, T0, rampLogger, rampValue } from './testing/ramp-logger.ts';

const baseUrl = 'https://qr.example.org/';

describe('currentLink', () => {
  it('opens to exactly the newest samples: the ramp values of seq firstSeq … nextSeq − 1', () => {
    const logger = rampLogger(5000);
    logger.advanceTo(T0 + 4000 * INTERVAL);
    const link = logger.currentLink({ baseUrl, ecc: 'M', maxVersion: 20 });
    expect(link.url).toBe(link.prefix + link.digits);
    expect(link.prefix).toBe(baseUrl);
    expect(link.version).toBeLessThanOrEqual(20);
    expect(link.firstSeq + link.count).toBe(logger.nextSeq);
    expect(parseLink(link.url).header).toEqual({ formatVersion: DEFAULT_FORMAT_VERSION, serial: 'RAMP1', keyVersion: 0 });
    const opened = openLink(link.url, logger.key);
    expect(opened.firstSeq).toBe(link.firstSeq);
    expect(opened.channels.temperature?.samples).toEqual(Array.from({ length: link.count }, (_, i) => rampValue(link.firstSeq + i)));
    expect(opened).toEqual(logger.content(link.count));
    expect(() => openLink(link.url, deriveTestKey(9, 'RAMP1'))).toThrow(LinkError);
  });

  it('opens to the full content of a four-channel logger on a trip (summaries, shocks, flags, battery)', () => {
    const logger = Logger.create({
      key: deriveTestKey(6, 'TRIPLINK'),
      model: 'THLS',
      environment: coldChainTrip({ seed: 21, start: T0 + 3600 }),
      start: T0,
      limits: { temperature: { low: 2, high: 8 } },
    });
    logger.injectFault('humidity', T0 + 20 * 3600, T0 + 21 * 3600);
    logger.advanceTo(T0 + 3 * 86_400);
    const link = logger.currentLink({ baseUrl, maxVersion: 25 });
    const opened = openLink(link.url, logger.key);
    const content = logger.content(link.count);
    expect(opened).toEqual(content);
    expect(opened.shock?.events.every((e) => e.time >= logger.sampleTime(link.firstSeq))).toBe(true);
    expect(opened.flags.sensorFault).toBe(true);
  });

  it('gives successive links that overlap, and the overlap holds the same readings', () => {
    const logger = Logger.create({ key: deriveTestKey(6, 'ROOM1'), model: 'TH', environment: room({ seed: 3 }), start: T0 });
    logger.advanceTo(T0 + 30 * 86_400);
    let previous = logger.currentLink({ baseUrl, maxVersion: 15 });
    for (let i = 0; i < 5; i++) {
      logger.advanceBy(6 * 3600);
      const next = logger.currentLink({ baseUrl, maxVersion: 15 });
      const prevLast = previous.firstSeq + previous.count - 1;
      expect(next.firstSeq).toBeLessThanOrEqual(prevLast);
      expect(next.firstSeq + next.count - 1).toBe(logger.nextSeq - 1);
      const a = openLink(previous.url, logger.key).channels.temperature?.samples ?? [];
      const b = openLink(next.url, logger.key).channels.temperature?.samples ?? [];
      expect(b.slice(0, prevLast - next.firstSeq + 1)).toEqual(a.slice(next.firstSeq - previous.firstSeq));
      previous = next;
    }
    expect(logger.sealCount).toBe(6);
  });

  it('fits fewer readings in a smaller symbol, and explains when nothing can be sealed', () => {
    const logger = Logger.create({ key: deriveTestKey(6, 'ROOM2'), model: 'THL', environment: room({ seed: 4 }), start: T0 });
    expect(() => logger.currentLink()).toThrow(/no samples yet/);
    logger.advanceTo(T0 + 2000 * INTERVAL);
    const big = logger.currentLink({ maxVersion: 25 });
    const small = logger.currentLink({ maxVersion: 10 });
    expect(small.count).toBeLessThan(big.count);
    expect(small.version).toBeLessThanOrEqual(10);
    expect(() => logger.currentLink({ maxVersion: 1 })).toThrow(/not even one sample/);
    expect(() => logger.currentLink({ baseUrl: 'http://x/' })).toThrow(LinkError);
  });
});
