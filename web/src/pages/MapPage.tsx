/**
 * The map (viewer): each floor plan with its areas and their live counts, the people on it as dots coloured by their
 * global id with the last 10 s of their way, a heatmap of the last hour on request, the cameras and how well each is
 * calibrated, and what in the site's set-up keeps something from working ("what to fix").
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useLiveMap, type LiveMap } from '../api/map-feed';
import { hasRole, useSession } from '../api/session';
import { isScaled, siteApi, siteQuery, type AreaJson, type MapPersonJson, type ScaledPlan } from '../api/site';
import { unwrap } from '../api/client';
import { PlanSvg } from '../components/PlanSvg';
import { heatCells, peopleText, personColour, shortId } from '../lib/plan-geometry';
import { formatDurationMs } from '../lib/format';

const HOUR_MS = 3_600_000;

export default function MapPage() {
  const { session } = useSession();
  const canCalibrate = hasRole(session?.role, 'operator');
  const site = useQuery({ ...siteQuery, refetchInterval: 15_000 });
  const live = useLiveMap();
  const [heat, setHeat] = useState(false);
  const people = live?.people ?? site.data?.people ?? [];
  const occupancy = live?.occupancy ?? site.data?.occupancy ?? {};
  const s = site.data;

  if (site.isError) return <p className="error" role="alert">The site could not be read: {site.error.message}</p>;
  return (
    <section aria-labelledby="map-title" className="map-page">
      <div className="toolbar">
        <h1 id="map-title">Map</h1>
        <label><input type="checkbox" checked={heat} onChange={(e) => setHeat(e.target.checked)} /> Heatmap of the last hour</label>
        <span className="muted">{live ? `Live: ${peopleText(people.length)} on the map` : s ? `${peopleText(people.length)} on the map` : ''}</span>
      </div>
      {site.isPending ? <p className="muted" role="status">Loading the site…</p> : null}
      {s && s.problems.length > 0 ? (
        <section className="notice" aria-labelledby="fix-title">
          <h2 id="fix-title">What to fix</h2>
          <ul>
            {s.problems.map((p) => (
              <li key={`${p.path} ${p.message}`}>
                {p.message} <span className="muted">({p.path})</span>
                {p.cameraId && canCalibrate ? <> — <Link to={`/map/calibrate/${encodeURIComponent(p.cameraId)}`}>fix the calibration of {p.cameraId}</Link></> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {s && s.plans.length === 0 ? <p>This site has no floor plans yet: an admin adds them to the site section (<code>site.plans</code> in the configuration, or <code>PUT /api/site</code>).</p> : null}
      {s ? (
        <div className="map-layout">
          <div>
            {s.plans.map((plan) => (isScaled(plan)
              ? <PlanFigure key={plan.id} plan={plan} areas={s.areas} people={people.filter((p) => p.plan === plan.id)} occupancy={occupancy} live={live} heat={heat} />
              : <p key={plan.id} className="muted">Plan {plan.name} has no scale, so it cannot be drawn in metres; see what to fix.</p>))}
          </div>
          <div>
            <h2>Areas</h2>
            {s.areas.length === 0 ? <p className="muted">No areas yet.</p> : (
              <table>
                <thead><tr><th scope="col">Area</th><th scope="col">Plan</th><th scope="col">Now</th></tr></thead>
                <tbody>
                  {s.areas.map((a) => (
                    <tr key={a.id} data-area={a.id}>
                      <td>{a.name}</td>
                      <td>{a.plan}</td>
                      <td>{a.counted ? peopleText(occupancy[a.id] ?? 0) : <span className="muted">not counted</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h2>Cameras</h2>
            <table>
              <thead><tr><th scope="col">Camera</th><th scope="col">Plan</th><th scope="col">Calibration</th>{canCalibrate ? <th scope="col"><span className="sr-only">Actions</span></th> : null}</tr></thead>
              <tbody>
                {s.cameras.map((c) => (
                  <tr key={c.id}>
                    <td>{c.id}</td>
                    <td>{c.plan ?? '–'}</td>
                    <td>{c.calibrated ? `rms ${c.rmsErrorM?.toFixed(2)} m` : <span className="muted">{c.plan ? 'not usable' : 'none'}</span>}</td>
                    {canCalibrate ? <td><Link to={`/map/calibrate/${encodeURIComponent(c.id)}`} aria-label={`Calibrate ${c.id}`}>Calibrate</Link></td> : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </section>
  );
}

/** One plan: heatmap cells (when on), the grid and areas with their counts, then trails and people on top. */
function PlanFigure({ plan, areas, people, occupancy, live, heat }: {
  plan: ScaledPlan; areas: readonly AreaJson[]; people: readonly MapPersonJson[]; occupancy: Readonly<Record<string, number>>; live: LiveMap | null; heat: boolean;
}) {
  // About 2,500 cells over the plan, at least half a metre each (a person's footprint).
  const cellM = Math.max(0.5, Math.ceil(Math.sqrt((plan.widthM * plan.heightM) / 2500) * 2) / 2);
  const heatmap = useQuery({
    queryKey: ['heatmap', plan.id, cellM],
    enabled: heat,
    refetchInterval: 60_000,
    queryFn: async () => {
      const toMs = Date.now();
      return unwrap(await siteApi.GET('/api/site/heatmap', { params: { query: { plan: plan.id, cellM: String(cellM), from: String(toMs - HOUR_MS), to: String(toMs) } } }));
    },
  });
  const h = heat ? heatmap.data : undefined;
  const titleId = `plan-${plan.id}-title`;
  return (
    <figure className="plan" aria-labelledby={titleId}>
      <figcaption id={titleId}>{plan.name} <span className="muted">({plan.widthM.toFixed(1)} × {plan.heightM.toFixed(1)} m)</span></figcaption>
      <PlanSvg plan={plan} areas={areas} counts={occupancy} label={`Plan ${plan.name}: ${peopleText(people.length)} on it${h ? ', with the heatmap of the last hour' : ''}`}
        under={h ? <g className="heat">{heatCells(h).map((c) => <rect key={`${c.xM},${c.yM}`} x={c.xM} y={c.yM} width={c.sizeM} height={c.sizeM} opacity={0.15 + 0.7 * c.level} />)}</g> : null}>
        {(fontM) => <People people={people} live={live} fontM={fontM} widthM={plan.widthM} />}
      </PlanSvg>
      {heat ? (
        <p className="muted">
          {heatmap.isError ? <span className="error" role="alert">The heatmap could not be read: {heatmap.error.message}</span>
            : !h ? 'Loading the heatmap…'
            : h.maxCount === 0 ? 'Nobody was on this plan in the last hour.'
            : `Heatmap: where people stood in the last hour, in cells of ${h.cellM} m; the darkest cell held people for ${formatDurationMs(h.maxCount * h.secondsPerCount * 1000)}.`}
        </p>
      ) : null}
    </figure>
  );
}

/** People as dots in their colour with their short id (to the left near the plan's right edge), each after the trail of its last 10 s. */
function People({ people, live, fontM, widthM }: { people: readonly MapPersonJson[]; live: LiveMap | null; fontM: number; widthM: number }) {
  const r = fontM * 0.45;
  const labelM = fontM * 0.8 * 0.6 * 6; // "#1234" and a margin
  return (
    <g className="people">
      {people.map((p) => {
        const colour = personColour(p.globalId);
        const trail = live?.trails.of(p.globalId) ?? [];
        const left = p.positionM[0] + r * 1.4 + labelM > widthM;
        return (
          <g key={p.globalId} className="person" data-global-id={p.globalId}>
            <title>{`Person ${p.globalId}: seen by ${p.cameras.join(', ') || 'no camera'}${p.areas.length ? `, in ${p.areas.join(', ')}` : ''}`}</title>
            {trail.length >= 2 ? <polyline className="trail" stroke={colour} points={trail.map((q) => q.join(',')).join(' ')} /> : null}
            <circle cx={p.positionM[0]} cy={p.positionM[1]} r={r} fill={colour} />
            <text x={p.positionM[0] + (left ? -r * 1.4 : r * 1.4)} y={p.positionM[1]} textAnchor={left ? 'end' : 'start'} fontSize={fontM * 0.8} strokeWidth={fontM * 0.2} dominantBaseline="middle">{shortId(p.globalId)}</text>
          </g>
        );
      })}
    </g>
  );
}
