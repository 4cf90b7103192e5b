import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** A time-series chart (uPlot: canvas, small, fast on thousands of points). `x` in ms; one series per entry. */
export function TimeChart({ title, xMs, series, fromMs, toMs, height = 220 }: { title: string; xMs: readonly number[]; series: readonly { label: string; values: readonly (number | null)[]; color: string; bars?: boolean }[]; fromMs: number; toMs: number; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(320, el.clientWidth);
    const plot = new uPlot({
      width, height,
      // The whole range asked for, however few points there are (uPlot's x values are seconds).
      scales: { x: { time: true, range: [fromMs / 1000, toMs / 1000] }, y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] } },
      series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, fill: s.bars ? `${s.color}55` : undefined, width: 2, ...(s.bars ? { paths: uPlot.paths.bars!({ size: [0.8, 40] }) } : {}) }))],
      axes: [{ stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } }, { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' } }],
    }, [xMs.map((t) => t / 1000), ...series.map((s) => [...s.values])] as uPlot.AlignedData, el);
    const onResize = () => plot.setSize({ width: Math.max(320, el.clientWidth), height });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [xMs, series, height, fromMs, toMs]);
  return <figure className="chart"><figcaption>{title}</figcaption><div ref={box} role="img" aria-label={`Chart: ${title}`} /></figure>;
}
