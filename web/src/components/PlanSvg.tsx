/**
 * A floor plan drawn in metres (the SVG's units): a grid of 1 m lines labelled every 5 m, and the plan's areas as
 * labelled polygons (with their live count when `counts` is given). What a page adds (heatmap, people, calibration
 * points) comes in as `under` (below the grid and areas) and `children` (on top). A plan with a picture shows it under
 * the grid (`GET /api/site/plans/:id/image`, stretched to the plan's size in metres).
 */
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { AreaJson, ScaledPlan } from '../api/site';
import { gridLines, gridStepM, peopleText, placeLabels, polygonCentroid, type Point2 } from '../lib/plan-geometry';
import './plan.css';

/** Text size on a plan, in metres: a 45th of its longer side, but at least 12 px where the plan is drawn `pxPerM` pixels a metre (a phone). */
export function planFontM(plan: { widthM: number; heightM: number }, pxPerM: number | null): number {
  return Math.max(Math.max(plan.widthM, plan.heightM) / 45, pxPerM ? 12 / pxPerM : 0);
}

/** Where a pointer at client pixels (`clientX`, `clientY`) is in the SVG's own units. */
export function clientToSvg(svg: SVGSVGElement, clientX: number, clientY: number): Point2 {
  const m = svg.getScreenCTM();
  if (!m) return [0, 0];
  const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
  return [p.x, p.y];
}

export function PlanSvg({ plan, areas, counts, label, role = 'img', onClickM, under, children }: {
  plan: ScaledPlan;
  areas: readonly AreaJson[];
  /** Distinct people per area now; when absent, areas are labelled with their names only. */
  counts?: Readonly<Record<string, number>> | undefined;
  /** The accessible name of the drawing. */
  label: string;
  /** `img` for a picture; `group` when it holds controls. */
  role?: 'img' | 'group';
  /** A click on the plan, in metres. */
  onClickM?: (pointM: Point2, event: React.MouseEvent<SVGSVGElement>) => void;
  under?: ReactNode;
  /** What is drawn on top, given the text size in metres (marks sized by it stay readable on a phone). */
  children?: (fontM: number) => ReactNode;
}) {
  const { widthM, heightM } = plan;
  const svg = useRef<SVGSVGElement>(null);
  const [pxPerM, setPxPerM] = useState<number | null>(null);
  useEffect(() => {
    const el = svg.current;
    if (!el) return;
    const measure = () => {
      const box = el.getBoundingClientRect();
      if (box.width > 0) setPxPerM(Math.min(box.width / widthM, box.height / heightM));
    };
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [widthM, heightM]);
  const stepM = gridStepM(widthM, heightM);
  const fontM = planFontM(plan, pxPerM);
  const mine = areas.filter((a) => a.plan === plan.id);
  const texts = mine.map((a) => (counts === undefined ? a.name : `${a.name}: ${a.counted ? peopleText(counts[a.id] ?? 0) : 'not counted'}`));
  const at = placeLabels(mine.map((a, i) => ({ anchor: polygonCentroid(a.polygonM), text: texts[i]! })), fontM);
  return (
    <svg ref={svg} className="plan-svg" viewBox={`0 0 ${widthM} ${heightM}`} role={role} aria-label={label} data-plan={plan.id}
      onClick={onClickM ? (e) => onClickM(clientToSvg(e.currentTarget, e.clientX, e.clientY), e) : undefined}>
      <rect className="plan-bg" width={widthM} height={heightM} />
      {plan.image !== null && <image href={`/api/site/plans/${encodeURIComponent(plan.id)}/image`} width={widthM} height={heightM} preserveAspectRatio="none" />}
      {under}
      <g className="plan-grid">
        {gridLines(widthM, stepM).map((l) => <line key={`x${l.atM}`} className={l.major ? 'major' : undefined} x1={l.atM} y1={0} x2={l.atM} y2={heightM} />)}
        {gridLines(heightM, stepM).map((l) => <line key={`y${l.atM}`} className={l.major ? 'major' : undefined} x1={0} y1={l.atM} x2={widthM} y2={l.atM} />)}
      </g>
      <g className="plan-grid-labels" fontSize={fontM * 0.8}>
        {gridLines(widthM, stepM).filter((l) => l.major).map((l) => <text key={`x${l.atM}`} x={l.atM + fontM * 0.15} y={fontM * 0.9}>{l.atM} m</text>)}
        {gridLines(heightM, stepM).filter((l) => l.major).map((l) => <text key={`y${l.atM}`} x={fontM * 0.15} y={l.atM - fontM * 0.2}>{l.atM} m</text>)}
      </g>
      <g className="plan-areas">
        {mine.map((a) => <polygon key={a.id} className={a.counted ? 'area' : 'area uncounted'} points={a.polygonM.map((p) => p.join(',')).join(' ')} />)}
        {mine.map((a, i) => (
          <text key={a.id} className="area-label" x={at[i]![0]} y={at[i]![1]} fontSize={fontM} strokeWidth={fontM * 0.25} textAnchor="middle" dominantBaseline="middle" data-area={a.id}>
            {texts[i]}
          </text>
        ))}
      </g>
      {children?.(fontM)}
    </svg>
  );
}
