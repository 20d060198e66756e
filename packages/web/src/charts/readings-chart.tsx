import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartRange {
  from: number;
  to: number;
}

interface Props {
  columns: [number[], (number | null)[], (number | null)[]];
  unit: string;
  label: string;
  timeZone: string;
  /** A drag over the chart: the range to fetch next (the server downsamples it anew). */
  onZoom: (range: ChartRange) => void;
}

/**
 * The readings of a channel as a band between the min and max of each pixel column (so no
 * excursion disappears when zoomed out), drawn by uPlot, loaded only on the pages that chart.
 */
export function ReadingsChart({ columns, unit, label, timeZone, onZoom }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    let cancelled = false;
    void import('uplot').then(({ default: UPlot }) => {
      if (cancelled || box.current === null) return;
      const width = box.current.clientWidth || 600;
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
        axes: [{}, { label: unit }],
        cursor: { drag: { x: true, y: false, setScale: false } },
        hooks: {
          // What the benchmark (npm run bench:web) times: the moment the data is on screen.
          draw: [() => performance.mark('qrlog:chart-drawn')],
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
  }, [columns, unit, label, timeZone]);

  useEffect(() => () => plot.current?.destroy(), []);
  return <div ref={box} className="chart" role="img" aria-label={`${label} (${unit})`} data-points={columns[0].length} />;
}
