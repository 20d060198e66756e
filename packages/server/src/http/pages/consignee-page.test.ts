import { describe, expect, it } from 'vitest';
import { chartRuns } from '../../core/missions/chart-columns.ts';
import type { ConsigneeView } from '../../core/missions/consignee-view.ts';
import { consigneePage } from './consignee-page.ts';

/** 90 days at 10 minutes (12,960 readings) around 5 °C, one 14.5 °C reading, a gap of 500 readings. */
function ninetyDays(): ConsigneeView {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < 12_960; i++) {
    if (i > 4000 && i < 4500) continue;
    t.push(i * 600);
    v.push(i === 9000 ? 14.5 : 5);
  }
  const to = 12_960 * 600;
  return {
    name: 'Trip <b>1</b>',
    status: 'delivered',
    origin: 'Basel',
    destination: null,
    plannedStart: null,
    plannedEnd: null,
    actualStart: new Date(0),
    actualEnd: new Date(to * 1000),
    loggers: [{ serial: 'QL1', from: new Date(0), to: new Date(to * 1000) }],
    charts: [{ channel: 'temperature', unit: '\u00b0C', from: 0, to, series: [{ serial: 'QL1', runs: chartRuns(t, v, 0, to, 640) }], limits: [{ high: 8, severity: 'critical' }], low: 5, high: 14.5 }],
  };
}

describe('the consignee page', () => {
  it('draws one reading\u2019s excursion among 12,960, and a gap as a gap', () => {
    const { html, contentSecurityPolicy } = consigneePage(ninetyDays());
    const path = /<path d="([^"]+)"/.exec(html)?.[1] ?? '';
    // Two runs (the gap splits them): two subpaths.
    expect(path.match(/M/g)).toHaveLength(2);
    const ys = [...path.matchAll(/[ML][\d.]+ ([\d.]+)/g)].map((m) => Number(m[1]));
    // 5 °C everywhere but one column, which reaches 14.5 °C: the highest point drawn, above the 8 °C limit line.
    const limitY = Number(/<line [^>]*y1="([\d.]+)"/.exec(html)?.[1]);
    expect(Math.min(...ys)).toBeLessThan(limitY);
    expect(ys.filter((y) => y < limitY)).toHaveLength(1);
    expect(html).toContain('Trip &#60;b&#62;1&#60;/b&#62;');
    expect(html).not.toMatch(/<script/);
    expect(contentSecurityPolicy).toMatch(/^default-src 'none'/);
    expect(contentSecurityPolicy).not.toContain('script-src');
  });
});
