import { describe, expect, it } from 'vitest';
import { scanPage } from './scan-page.ts';

const figure = (newReadings: number, counts: number[]) =>
  /<p class="figure">([^<]*)<\/p>/.exec(scanPage({ serial: 'S1', newReadings, newByChannel: counts.map((count, i) => ({ channel: `c${String(i)}`, count })), canAddLocation: false }).html)?.[1];

describe('scan page figure', () => {
  it('counts new readings per channel, as `qrlog simulate` does', () => {
    expect(figure(1314, [657, 657])).toBe('657 new readings × 2 channels');
    expect(figure(24, [24])).toBe('24 new readings');
    expect(figure(2, [1, 1])).toBe('1 new reading × 2 channels');
    expect(figure(1463, [730, 730, 3])).toBe('730, 730 and 3 new readings in 3 channels');
    expect(figure(0, [])).toBe('No new readings');
  });
});
