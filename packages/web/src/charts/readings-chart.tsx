import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { ALARM_FILL, GAP_FILL, LIMIT_STROKE } from './chart-colours.ts';
import type { TimeSpan } from './overview-series.ts';

// uPlot is fetched as soon as this (lazy) module is, not when the first chart mounts after its data.
const uPlotModule = import('uplot');

export interface ChartRange {
  from: number;
  to: number;
}

/** A limit drawn as a horizontal line, in the shown unit, over the time its mission covers. */
export interface LimitLine {
  value: number;
  from: number;
  to: number;
}

interface Props {
  columns: [number[], (number | null)[], (number | null)[]];
  unit: string;
  label: string;
  timeZone: string;
  limits: readonly LimitLine[];
  alarms: readonly TimeSpan[];
  gaps: readonly TimeSpan[];
  /** The word written into each gap band wide enough to hold it. */
  gapLabel: string;
  /** A drag over the chart: the range to fetch next (the server downsamples it anew). */
  onZoom: (range: ChartRange) => void;
}

/**
 * The readings of a channel as a band between the min and max of each pixel column (so no
 * excursion disappears when zoomed out), drawn by uPlot, loaded only on the pages that chart.
 * Alarm periods and gaps are shaded behind the readings and limits drawn as dashed lines; the
 * values and spans are on the element as data attributes (the canvas itself cannot be read).
 */
export function ReadingsChart({ columns, unit, label, timeZone, limits, alarms, gaps, gapLabel, onZoom }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    let cancelled = false;
    void uPlotModule.then(({ default: UPlot }) => {
      if (cancelled || box.current === null) return;
      const width = box.current.clientWidth || 600;
      const limitValues = limits.map((l) => l.value);
      const options: uPlot.Options = {
        width,
        height: 320,
        tzDate: (ts) => UPlot.tzDate(new Date(ts * 1e3), timeZone),
        series: [
          {},
          { label: `${label} min (${unit})`, stroke: '#1f5fa8', width: 1, spanGaps: false },
          { label: `${label} max (${unit})`, stroke: '#b3261e', width: 1, spanGaps: false },
        ],
        bands: [{ series: [2, 1], fill: 'rgba(31, 95, 168, 0.15)' }],
        // The limits stay in view even when every reading is far inside them.
        scales: { y: { range: (_u, min, max) => padded(Math.min(min, ...limitValues), Math.max(max, ...limitValues)) } },
        axes: [{}, { label: unit }],
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: {
          drawClear: [(u) => drawSpans(u, gaps, alarms, gapLabel)],
          // The mark is what the benchmark (npm run bench:web) times: the moment the data is on screen.
          draw: [(u) => drawLimits(u, limits), () => performance.mark('qrlog:chart-drawn')],
          setSelect: [
            (u) => {
              if (u.select.width < 2) return;
              const from = Math.floor(u.posToVal(u.select.left, 'x'));
              const to = Math.ceil(u.posToVal(u.select.left + u.select.width, 'x'));
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              zoom.current({ from, to });
            },
          ],
        },
      };
      plot.current?.destroy();
      plot.current = new UPlot(options, columns, box.current);
    });
    return () => {
      cancelled = true;
    };
  }, [columns, unit, label, timeZone, limits, alarms, gaps, gapLabel]);

  // The chart follows its box's width (a phone turned, a window resized); uPlot draws at a fixed size.
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const observer = new ResizeObserver(() => {
      const width = element.clientWidth;
      if (plot.current !== null && width > 0 && width !== plot.current.width) plot.current.setSize({ width, height: 320 });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  useEffect(() => () => plot.current?.destroy(), []);
  return (
    <div
      ref={box}
      className="chart"
      role="img"
      aria-label={`${label} (${unit})`}
      data-points={columns[0].length}
      data-limits={limits.map((l) => l.value).join(' ')}
      data-alarms={spansText(alarms)}
      data-gaps={spansText(gaps)}
    />
  );
}

/** Spans as `from-to` in Unix seconds, space-separated. */
function spansText(spans: readonly TimeSpan[]): string {
  return spans.map((s) => `${String(s.from)}-${String(s.to)}`).join(' ');
}

function padded(min: number, max: number): [number, number] {
  const margin = Math.max((max - min) * 0.05, 0.5);
  return [min - margin, max + margin];
}

/** Gap and alarm bands over the plot's height, under the readings (drawClear runs before the series). */
function drawSpans(u: uPlot, gaps: readonly TimeSpan[], alarms: readonly TimeSpan[], gapLabel: string): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  const band = (span: TimeSpan, fill: string) => {
    const x0 = u.valToPos(span.from, 'x', true);
    const x1 = u.valToPos(span.to, 'x', true);
    ctx.fillStyle = fill;
    ctx.fillRect(x0, bbox.top, Math.max(x1 - x0, 1), bbox.height);
    return [x0, x1] as const;
  };
  for (const alarm of alarms) band(alarm, ALARM_FILL);
  ctx.font = `${String(12 * devicePixelRatio)}px sans-serif`;
  ctx.textAlign = 'center';
  for (const gap of gaps) {
    const [x0, x1] = band(gap, GAP_FILL);
    if (ctx.measureText(gapLabel).width < x1 - x0) {
      ctx.fillStyle = '#333';
      ctx.fillText(gapLabel, (x0 + x1) / 2, bbox.top + 16 * devicePixelRatio);
    }
  }
  ctx.restore();
}

/** Each limit as a dashed horizontal line over the part of the range its mission covers. */
function drawLimits(u: uPlot, limits: readonly LimitLine[]): void {
  const { ctx, bbox } = u;
  ctx.save();
  ctx.beginPath();
  ctx.rect(bbox.left, bbox.top, bbox.width, bbox.height);
  ctx.clip();
  ctx.strokeStyle = LIMIT_STROKE;
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
  for (const limit of limits) {
    const y = u.valToPos(limit.value, 'y', true);
    ctx.beginPath();
    ctx.moveTo(u.valToPos(limit.from, 'x', true), y);
    ctx.lineTo(u.valToPos(limit.to, 'x', true), y);
    ctx.stroke();
  }
  ctx.restore();
}
