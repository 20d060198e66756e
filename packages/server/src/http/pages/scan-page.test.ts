import { describe, expect, it } from 'vitest';
import { scanPage } from './scan-page.ts';

const figure = (newReadings: number, counts: number[]) =>
  /<p class="figure" id="result">([^<]*)<\/p>/.exec(scanPage({ serial: 'S1', newReadings, newByChannel: counts.map((count, i) => ({ channel: `c${String(i)}`, count })), canAddLocation: false }).html)?.[1];

describe('scan page figure', () => {
  it('counts new readings per channel, as `qrlog simulate` does', () => {
    expect(figure(1314, [657, 657])).toBe('657 new readings × 2 channels');
    expect(figure(24, [24])).toBe('24 new readings');
    expect(figure(2, [1, 1])).toBe('1 new reading × 2 channels');
    expect(figure(1463, [730, 730, 3])).toBe('730, 730 and 3 new readings in 3 channels');
    expect(figure(0, [])).toBe('No new readings');
  });
});

describe('scan page receipt', () => {
  const base = { serial: 'S1', newReadings: 1, newByChannel: [{ channel: 'c0', count: 1 }], canAddLocation: false };
  it('shows the chain index, and the receipt with what it covers when the service signs', () => {
    expect(scanPage({ ...base, chainIndex: 4 }).html).toContain('<p class="note">Evidence chain index 4 of logger S1.</p>');
    const html = scanPage({ ...base, chainIndex: 4, receipt: { token: 'qr1.S1.4.1.h.s', keyId: '0011223344556677', receivedAt: new Date('2026-01-02T03:04:05.678Z') } }).html;
    expect(html).toContain('Evidence chain index 4 of logger S1, received 2026-01-02 03:04:05 UTC.');
    expect(html).toContain('<p class="receipt" id="receipt">qr1.S1.4.1.h.s</p>');
    expect(html).toMatch(/key 0011223344556677\) over the serial, the chain index, the link&#39;s chain hash and its arrival time/);
  });
});

describe('scan page state, from the link\'s own alarm summary', () => {
  const base = { serial: 'S1', newReadings: 1, newByChannel: [{ channel: 'c0', count: 1 }], canAddLocation: false };
  const state = (html: string) => /<p class="state [^"]*" id="state">([^<]*)<\/p>/.exec(html)?.[1];
  const since = Date.parse('2026-03-04T05:06:00Z') / 1000;
  it('says no alarm when the link reports none, and nothing when the service does not know', () => {
    expect(state(scanPage({ ...base, alarms: [] }).html)).toBe('No alarm: the logger reports its readings within its limits.');
    expect(state(scanPage(base).html)).toBeUndefined();
  });
  it('says since when an alarm is active, naming the channel only to a viewer who may read the logger', () => {
    const alarms = [{ channel: 'temperature', active: true, reportedSince: since, outsideSeconds: 5400 }];
    expect(state(scanPage({ ...base, alarms }).html)).toBe('Alarm: out of limits now, reported since 2026-03-04 05:06 UTC.');
    expect(state(scanPage({ ...base, alarms, newest: [] }).html)).toBe('Alarm (temperature): out of limits now, reported since 2026-03-04 05:06 UTC.');
    expect(scanPage({ ...base, alarms }).html).toContain('Out of limits for 1 h 30 min in the logger&#39;s memory.');
  });
  it('tells a latched alarm whose newest reading is back within limits apart from an active one', () => {
    const alarms = [{ channel: 'humidity', active: false, reportedSince: since, outsideSeconds: 600 }];
    expect(state(scanPage({ ...base, alarms }).html)).toBe('Alarm earlier, reported since 2026-03-04 05:06 UTC: the newest reading is back within limits.');
  });
});
