/**
 * Calibrating a camera to a floor plan (operator; saving needs admin). Point pairs are clicked on the camera's latest
 * frame and on the plan (either side first; each pair numbered), dragged on either side, moved with the arrow keys or
 * typed in the table. After every change the server fits them (POST /api/site/calibration, nothing stored): the rms
 * error and each pair's error in metres, a pair that disagrees with the others highlighted. The fit is drawn both
 * ways: the plan's grid and areas on the frame (through the inverse of the fitted map, computed here), and the frame's
 * outline on the plan. Save stores the camera's `calibration` with PATCH /api/cameras/:id.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { api, errorMessage, unwrap } from '../api/client';
import { hasRole, useSession } from '../api/session';
import { isScaled, siteApi, siteQuery, type CalibrationFitJson, type PointPairJson, type ScaledPlan, type SiteJson } from '../api/site';
import { PerCameraPage } from '../components/PerCameraPage';
import { clientToSvg, PlanSvg } from '../components/PlanSvg';
import { frontSign, gridLines, gridStepM, invert3, projectPath, roundPoint, type Point2 } from '../lib/plan-geometry';

/** A pair being made: one side may still be missing (the last pair, between its two clicks). */
interface Pair { imageNorm: Point2 | null; planM: Point2 | null }
type Complete = { imageNorm: Point2; planM: Point2 };
const isComplete = (p: Pair): p is Complete => p.imageNorm !== null && p.planM !== null;

export default function Page() {
  return <PerCameraPage base="map/calibrate" title="Calibrate to a floor plan">{(cameraId) => <Calibration key={cameraId} cameraId={cameraId} />}</PerCameraPage>;
}

/** Loads the site and the camera's stored calibration, then shows the editor. */
function Calibration({ cameraId }: { cameraId: string }) {
  const site = useQuery(siteQuery);
  const stored = useQuery({
    queryKey: ['camera-config', cameraId],
    queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/config', { params: { path: { id: cameraId } } })) as { calibration?: { plan: string; pointPairs: PointPairJson[] } },
  });
  if (site.isError || stored.isError) return <p className="error" role="alert">{(site.error ?? stored.error)?.message}</p>;
  if (!site.data || !stored.data) return <p role="status" className="muted">Loading…</p>;
  const plans = site.data.plans.filter(isScaled);
  if (plans.length === 0) return <p>The site has no floor plan with a scale to calibrate to: an admin adds one (<code>site.plans</code> with <code>metresPerPixel</code>).</p>;
  return <Editor cameraId={cameraId} site={site.data} plans={plans} stored={stored.data.calibration ?? null} />;
}

function Editor({ cameraId, site, plans, stored }: { cameraId: string; site: SiteJson; plans: ScaledPlan[]; stored: { plan: string; pointPairs: PointPairJson[] } | null }) {
  const client = useQueryClient();
  const { session } = useSession();
  const canSave = hasRole(session?.role, 'admin');
  const [pairs, setPairs] = useState<Pair[]>(() => (stored?.pointPairs ?? []).map((p) => ({ imageNorm: p.imageNorm, planM: p.planM })));
  const [planId, setPlanId] = useState(() => (plans.some((p) => p.id === stored?.plan) ? stored!.plan : plans[0]!.id));
  const [selected, setSelected] = useState<number | null>(null);
  /** The last fit, and the pairs it is of (a newer change may be on its way to the server). */
  const [lastFit, setLastFit] = useState<{ of: string; fit: CalibrationFitJson } | null>(null);
  const [fitError, setFitError] = useState<string | null>(null);
  const [saveError, setSaveError] = useState<{ field: 'plan' | 'pairs' | null; message: string } | null>(null);
  const [saved, setSaved] = useState<ReactNode>(null);
  const [busy, setBusy] = useState(false);
  const plan = plans.find((p) => p.id === planId)!;

  const complete = pairs.filter(isComplete);
  const completeIndex = pairs.flatMap((p, i) => (isComplete(p) ? [i] : []));
  const body = JSON.stringify(complete);
  useEffect(() => {
    setSaved(null);
    const pointPairs = JSON.parse(body) as PointPairJson[];
    if (pointPairs.length === 0) {
      setLastFit(null);
      return;
    }
    let current = true;
    // A short pause, so that a drag is fitted when it rests rather than at every pointer move.
    const timer = setTimeout(() => {
      void siteApi.POST('/api/site/calibration', { body: { pointPairs } })
        .then((r) => {
          if (!current) return;
          setLastFit({ of: body, fit: unwrap(r) });
          setFitError(null);
        })
        .catch((err: unknown) => { if (current) setFitError(errorMessage(err)); });
    }, 100);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [body]);
  // The drawings and the summary show the last fit while a newer one is on its way; the rows only a fit of these pairs.
  const fit = lastFit?.fit ?? null;
  const fitOfThese = lastFit?.of === body ? lastFit.fit : null;

  const pairFit = (i: number) => {
    const k = completeIndex.indexOf(i);
    return k < 0 ? undefined : fitOfThese?.ok ? fitOfThese.pairs?.[k] : undefined;
  };
  const failedPair = fitOfThese && !fitOfThese.ok && fitOfThese.pairIndex !== undefined ? completeIndex[fitOfThese.pairIndex] : undefined;
  const problemOf = (i: number): string | null => {
    const f = pairFit(i);
    if (f && !f.inlier) return `${f.errorM.toFixed(2)} m off the fit of the others: check where it was clicked on the frame and on the plan`;
    if (failedPair === i) return fitOfThese?.message ?? null;
    return null;
  };

  const setSide = (i: number, side: 'imageNorm' | 'planM', p: Point2) => setPairs((ps) => ps.map((q, k) => (k === i ? { ...q, [side]: p } : q)));
  const clampImage = (p: Point2): Point2 => roundPoint([Math.min(1, Math.max(0, p[0])), Math.min(1, Math.max(0, p[1]))], 4);
  const clampPlan = (p: Point2): Point2 => roundPoint([Math.min(plan.widthM, Math.max(0, p[0])), Math.min(plan.heightM, Math.max(0, p[1]))], 2);
  /** A click on one side: completes the last pair when it misses this side, moves its point when the pair waits for the other side, else starts a pair. */
  const clickSide = (side: 'imageNorm' | 'planM', p: Point2) => {
    const other = side === 'imageNorm' ? 'planM' : 'imageNorm';
    const last = pairs[pairs.length - 1];
    if (last && (last[side] === null || last[other] === null)) setSide(pairs.length - 1, side, p);
    else setPairs([...pairs, { imageNorm: null, planM: null, [side]: p }]);
    setSelected(last && (last[side] === null || last[other] === null) ? pairs.length - 1 : pairs.length);
  };
  const remove = (i: number) => {
    setPairs((ps) => ps.filter((_, k) => k !== i));
    setSelected(null);
  };
  const pending = pairs.length > 0 && !isComplete(pairs[pairs.length - 1]!) ? pairs.length - 1 : null;

  const save = async () => {
    setSaveError(null);
    setSaved(null);
    if (pending !== null) return setSaveError({ field: 'pairs', message: `pair ${pending + 1} has no point on the ${pairs[pending]!.planM ? 'frame' : 'plan'} yet: click it there, or remove the pair` });
    if (complete.length < 4) return setSaveError({ field: 'pairs', message: `a calibration needs 4 or more point pairs spread out over the floor, got ${complete.length}` });
    setBusy(true);
    try {
      unwrap(await api.PATCH('/api/cameras/{id}', { params: { path: { id: cameraId } }, body: { calibration: { plan: planId, pointPairs: complete } } }));
      await client.invalidateQueries({ queryKey: ['camera-config', cameraId] });
      const now = await client.fetchQuery({ ...siteQuery, staleTime: 0 });
      const cam = now.cameras.find((c) => c.id === cameraId);
      const problems = now.problems.filter((p) => p.cameraId === cameraId).map((p) => p.message);
      setSaved(cam?.calibrated
        ? <>Saved: {cameraId} is calibrated to {plan.name} (rms {cam.rmsErrorM?.toFixed(2)} m); the people it sees are on the map from its next frame.{problems.length ? <> Still: {problems.join('; ')}</> : null}</>
        : <span className="error">Saved, but {cameraId} is not calibrated: {problems.join('; ') || 'the server did not say why'}</span>);
    } catch (err) {
      const message = errorMessage(err);
      setSaveError({ field: /calibration\.plan/.test(message) ? 'plan' : /pointPairs/.test(message) ? 'pairs' : null, message });
    } finally {
      setBusy(false);
    }
  };

  const planError = saveError?.field === 'plan' ? saveError.message : null;
  const pairsError = saveError?.field === 'pairs' ? saveError.message : null;
  return (
    <div className="calibration">
      <div className="toolbar">
        <div className="field">
          <label htmlFor="cal-plan">Plan</label>
          <select id="cal-plan" value={planId} onChange={(e) => { setPlanId(e.target.value); setSaveError(null); }}
            aria-invalid={planError ? true : undefined} aria-describedby={planError ? 'cal-plan-error' : undefined}>
            {site.plans.map((p) => <option key={p.id} value={p.id} disabled={!isScaled(p)}>{p.name}{isScaled(p) ? '' : ' (no scale)'}</option>)}
          </select>
          {planError ? <span className="error" id="cal-plan-error" role="alert">{planError}</span> : null}
        </div>
        <button type="button" onClick={() => { setPairs([...pairs, { imageNorm: [0.5, 0.5], planM: roundPoint([plan.widthM / 2, plan.heightM / 2], 2) }]); setSelected(pairs.length); }}>Add pair</button>
        <button type="button" className="danger" onClick={() => { setPairs([]); setSelected(null); }} disabled={pairs.length === 0}>Remove all pairs</button>
      </div>
      {stored && !plans.some((p) => p.id === stored.plan) ? (
        <p className="muted">The stored calibration is to plan "{stored.plan}", which {site.plans.some((p) => p.id === stored.plan) ? 'has no scale' : 'this site does not have'}; saving calibrates the camera to the plan chosen here.</p>
      ) : null}
      <p className="muted" id="cal-how">
        {pending !== null
          ? `Pair ${pending + 1}: now click the same spot on the ${pairs[pending]!.planM ? 'frame' : 'plan'}.`
          : 'Click a spot on the floor in the frame, then the same spot on the plan (corners of tiles, markings, the foot of a wall). Drag a point to move it; a focused point moves with the arrow keys (Shift: further) and Delete removes its pair.'}
      </p>
      <div className="calibrate">
        <Frame cameraId={cameraId} pairs={pairs} selected={selected} bad={(i) => problemOf(i) !== null} fit={fit} plan={plan} site={site}
          onClick={(p) => clickSide('imageNorm', clampImage(p))} onMove={(i, p) => setSide(i, 'imageNorm', clampImage(p))} onSelect={setSelected} onRemove={remove} />
        <figure className="plan">
          <figcaption>{plan.name} <span className="muted">({plan.widthM.toFixed(1)} × {plan.heightM.toFixed(1)} m)</span></figcaption>
          <PlanOverlay plan={plan} site={site} pairs={pairs} selected={selected} bad={(i) => problemOf(i) !== null} fit={fit}
            onClick={(p) => clickSide('planM', clampPlan(p))} onMove={(i, p) => setSide(i, 'planM', clampPlan(p))} onSelect={setSelected} onRemove={remove} />
        </figure>
      </div>
      <FitSummary fit={fit} error={fitError} pairs={complete.length} />
      {pairsError ? <p className="error" id="cal-pairs-error" role="alert">{pairsError}</p> : null}
      <div className="table-scroll">
        <table className="pairs" aria-describedby={pairsError ? 'cal-pairs-error' : undefined}>
          <caption className="sr-only">Point pairs</caption>
          <thead>
            <tr>
              <th scope="col">Pair</th><th scope="col">Frame x (%)</th><th scope="col">Frame y (%)</th><th scope="col">Plan x (m)</th><th scope="col">Plan y (m)</th>
              <th scope="col">Error</th><th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {pairs.map((p, i) => {
              const f = pairFit(i);
              const problem = problemOf(i);
              const n = i + 1;
              const percent = (v: number) => Number((v * 100).toFixed(2));
              return (
                <tr key={i} data-pair={n} className={[problem ? 'bad' : '', selected === i ? 'selected' : ''].join(' ').trim() || undefined} onFocus={() => setSelected(i)}>
                  <th scope="row">{n}</th>
                  <td><NumberInput label={`Pair ${n} frame x (%)`} value={p.imageNorm ? percent(p.imageNorm[0]) : null} step={0.1} onChange={(v) => setSide(i, 'imageNorm', clampImage([v / 100, p.imageNorm?.[1] ?? 0.5]))} /></td>
                  <td><NumberInput label={`Pair ${n} frame y (%)`} value={p.imageNorm ? percent(p.imageNorm[1]) : null} step={0.1} onChange={(v) => setSide(i, 'imageNorm', clampImage([p.imageNorm?.[0] ?? 0.5, v / 100]))} /></td>
                  <td><NumberInput label={`Pair ${n} plan x (m)`} value={p.planM?.[0] ?? null} step={0.1} onChange={(v) => setSide(i, 'planM', clampPlan([v, p.planM?.[1] ?? plan.heightM / 2]))} /></td>
                  <td><NumberInput label={`Pair ${n} plan y (m)`} value={p.planM?.[1] ?? null} step={0.1} onChange={(v) => setSide(i, 'planM', clampPlan([p.planM?.[0] ?? plan.widthM / 2, v]))} /></td>
                  <td className="pair-error">
                    {f ? `${f.errorM.toFixed(2)} m` : isComplete(p) ? '–' : 'waiting for the other side'}
                    {problem ? <div className="error">{problem}</div> : null}
                  </td>
                  <td><button type="button" className="danger" onClick={() => remove(i)} aria-label={`Remove pair ${n}`}>Remove</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="toolbar">
        <button type="submit" onClick={() => void save()} disabled={busy || !canSave}>Save calibration</button>
        {!canSave ? <span className="muted">Saving needs the admin role; the fit above is yours to try.</span> : null}
        {saveError && !saveError.field ? <span className="error" role="alert">Not saved: {saveError.message}</span> : null}
        <span role="status">{saved}</span>
      </div>
    </div>
  );
}

/** A number field that may be empty (the side not clicked yet) and reports only numbers. */
function NumberInput({ label, value, step, onChange }: { label: string; value: number | null; step: number; onChange: (v: number) => void }) {
  return (
    <input type="number" className="coord" aria-label={label} step={step} value={value === null ? '' : Number(value.toFixed(3))} placeholder="click" disabled={value === null}
      onChange={(e) => { if (Number.isFinite(e.target.valueAsNumber)) onChange(e.target.valueAsNumber); }} />
  );
}

/** The fit in words: rms and largest error in metres, or why there is none. */
function FitSummary({ fit, error, pairs }: { fit: CalibrationFitJson | null; error: string | null; pairs: number }) {
  let text: ReactNode;
  if (error) text = <span className="error">The fit could not be computed: {error}</span>;
  else if (pairs === 0) text = 'No point pairs yet.';
  else if (!fit) text = 'Fitting…';
  else if (!fit.ok) text = <span className="error">{fit.message}</span>;
  else {
    const all = fit.pairs ?? [];
    const outliers = all.filter((p) => !p.inlier).map((p) => p.index + 1);
    const agreeing = all.length - outliers.length;
    text = (
      <>
        RMS error <strong className="rms">{fit.rmsErrorM!.toFixed(2)} m</strong>, largest {fit.maxErrorM!.toFixed(2)} m, over {outliers.length > 0 ? `the ${agreeing} pairs that agree` : `${all.length} pairs`}.
        {outliers.length > 0 ? <span className="error"> {outliers.length > 1 ? `Pairs ${outliers.join(', ')} disagree` : `Pair ${outliers[0]} disagrees`} with the others and {outliers.length > 1 ? 'are' : 'is'} left out: check where {outliers.length > 1 ? 'they were' : 'it was'} clicked.</span> : null}
        {all.length === 4 ? ' Four pairs always fit exactly: add a fifth to check them.' : ''}
      </>
    );
  }
  return <p className="fit" role="status">{text}</p>;
}

interface SideProps {
  pairs: readonly Pair[];
  selected: number | null;
  bad: (i: number) => boolean;
  fit: CalibrationFitJson | null;
  plan: ScaledPlan;
  site: SiteJson;
  onClick: (p: Point2) => void;
  onMove: (i: number, p: Point2) => void;
  onSelect: (i: number) => void;
  onRemove: (i: number) => void;
}

/** The fitted map (frame fractions to plan metres), its inverse, and the side of the horizon the floor in view is on. */
function fitted(fit: CalibrationFitJson | null, pairs: readonly Pair[]) {
  if (!fit?.ok || !fit.imageToPlan) return null;
  const planToImage = invert3(fit.imageToPlan);
  if (!planToImage) return null;
  const sign = frontSign(fit.imageToPlan, pairs.filter(isComplete).map((p) => p.imageNorm));
  return { imageToPlan: fit.imageToPlan, planToImage, sign };
}

/** The camera's latest frame with the pairs' frame points, and the plan's grid and areas drawn through the fit. */
function Frame({ cameraId, pairs, selected, bad, fit, plan, site, onClick, onMove, onSelect, onRemove }: SideProps & { cameraId: string }) {
  const status = useQuery({
    queryKey: ['camera', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}', { params: { path: { id: cameraId } } })),
    refetchInterval: (q) => ((q.state.data?.framesProcessed ?? 0) > 0 ? false : 1000),
  });
  const ready = (status.data?.framesProcessed ?? 0) > 0;
  const [frameT, setFrameT] = useState(() => Date.now());
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const f = fitted(fit, pairs);
  const toPx = (p: Point2) => `${p[0] * size!.w},${p[1] * size!.h}`;
  const stepM = gridStepM(plan.widthM, plan.heightM);
  const lines: Point2[][] = f ? [
    ...[0, ...gridLines(plan.widthM, stepM).map((l) => l.atM), plan.widthM].map((x): Point2[] => [[x, 0], [x, plan.heightM]]),
    ...[0, ...gridLines(plan.heightM, stepM).map((l) => l.atM), plan.heightM].map((y): Point2[] => [[0, y], [plan.widthM, y]]),
  ] : [];
  return (
    <figure className="frame">
      <figcaption>The latest frame of {cameraId} <button type="button" onClick={() => setFrameT(Date.now())} disabled={!ready}>New frame</button></figcaption>
      <div className="frame-box">
        {ready ? <img src={`/api/cameras/${encodeURIComponent(cameraId)}/latest.jpg?t=${frameT}`} alt={`The latest frame of ${cameraId}`} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
          : <p className="muted waiting" role="status">Waiting for the camera's first frame…</p>}
        {ready && size ? (
          <svg viewBox={`0 0 ${size.w} ${size.h}`} role="group" aria-label={`Points on the frame of ${cameraId}`} aria-describedby="cal-how"
            onClick={(e) => {
              if ((e.target as Element).closest('.handle')) return;
              const [x, y] = clientToSvg(e.currentTarget, e.clientX, e.clientY);
              onClick([x / size.w, y / size.h]);
            }}>
            {f ? (
              <g className="fit-on-frame" aria-hidden="true">
                {lines.flatMap((l, k) => projectPath(f.planToImage, l, f.sign, false, 24, 20).map((run, j) => <polyline key={`g${k}-${j}`} className="fit-grid" points={run.map(toPx).join(' ')} />))}
                {site.areas.filter((a) => a.plan === plan.id).flatMap((a) => projectPath(f.planToImage, a.polygonM, f.sign, true, 16, 20).map((run, j) => <polyline key={`a${a.id}-${j}`} className="fit-area" points={run.map(toPx).join(' ')} />))}
              </g>
            ) : null}
            {pairs.map((p, i) => (p.imageNorm ? (
              <Handle key={i} n={i + 1} side="frame" at={[p.imageNorm[0] * size.w, p.imageNorm[1] * size.h]} r={Math.max(size.w, size.h) / 70}
                state={bad(i) ? 'bad' : !isComplete(p) ? 'pending' : selected === i ? 'selected' : 'ok'}
                label={`Pair ${i + 1} on the frame at ${(p.imageNorm[0] * 100).toFixed(1)} %, ${(p.imageNorm[1] * 100).toFixed(1)} %`}
                onDrag={(q) => onMove(i, [q[0] / size.w, q[1] / size.h])} onNudge={(dx, dy, big) => onMove(i, [p.imageNorm![0] + dx * (big ? 0.05 : 0.005), p.imageNorm![1] + dy * (big ? 0.05 : 0.005)])}
                onSelect={() => onSelect(i)} onRemove={() => onRemove(i)} />
            ) : null))}
          </svg>
        ) : null}
      </div>
    </figure>
  );
}

/** The plan with the pairs' plan points, and the frame's outline drawn through the fit. */
function PlanOverlay({ plan, site, pairs, selected, bad, fit, onClick, onMove, onSelect, onRemove }: SideProps) {
  const f = fitted(fit, pairs);
  const limitM = 20 * Math.max(plan.widthM, plan.heightM);
  return (
    <PlanSvg plan={plan} areas={site.areas} label={`Points on plan ${plan.name}`} role="group"
      onClickM={(p, e) => { if (!(e.target as Element).closest('.handle')) onClick(p); }}>
      {(fontM) => (
        <>
          {f ? projectPath(f.imageToPlan, [[0, 0], [1, 0], [1, 1], [0, 1]], f.sign, true, 16, limitM).map((run, j) => (
            <polyline key={j} className="fit-outline" points={run.map((p) => p.join(',')).join(' ')} aria-hidden="true" />
          )) : null}
          {pairs.map((p, i) => (p.planM ? (
            <Handle key={i} n={i + 1} side="plan" at={p.planM} r={fontM * 0.6}
              state={bad(i) ? 'bad' : !isComplete(p) ? 'pending' : selected === i ? 'selected' : 'ok'}
              label={`Pair ${i + 1} on the plan at ${p.planM[0].toFixed(2)} m, ${p.planM[1].toFixed(2)} m`}
              onDrag={(q) => onMove(i, q)} onNudge={(dx, dy, big) => onMove(i, [p.planM![0] + dx * (big ? 1 : 0.1), p.planM![1] + dy * (big ? 1 : 0.1)])}
              onSelect={() => onSelect(i)} onRemove={() => onRemove(i)} />
          ) : null))}
        </>
      )}
    </PlanSvg>
  );
}

const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

/** A numbered point: dragged with a pointer (captured, so it follows outside the picture), moved with the arrow keys, removed with Delete. */
function Handle({ n, side, at, r, state, label, onDrag, onNudge, onSelect, onRemove }: {
  n: number; side: 'frame' | 'plan'; at: Point2; r: number; state: 'ok' | 'bad' | 'pending' | 'selected'; label: string;
  onDrag: (p: Point2) => void; onNudge: (dx: number, dy: number, big: boolean) => void; onSelect: () => void; onRemove: () => void;
}) {
  const dragging = useRef<number | null>(null);
  const onKey = (e: KeyboardEvent<SVGGElement>) => {
    const d = ARROWS[e.key];
    if (d) {
      e.preventDefault();
      onNudge(d[0], d[1], e.shiftKey);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      onRemove();
    }
  };
  return (
    <g className={`handle handle-${state}`} data-pair={n} data-side={side} transform={`translate(${at[0]} ${at[1]})`} tabIndex={0} role="button"
      aria-label={`${label}: drag it, or move it with the arrow keys; Delete removes the pair`}
      onFocus={onSelect} onKeyDown={onKey} onClick={(e) => e.stopPropagation()}
      onPointerDown={(e) => {
        e.stopPropagation();
        e.currentTarget.setPointerCapture(e.pointerId);
        dragging.current = e.pointerId;
        onSelect();
      }}
      onPointerMove={(e) => {
        const svg = e.currentTarget.ownerSVGElement;
        if (dragging.current === e.pointerId && svg) onDrag(clientToSvg(svg, e.clientX, e.clientY));
      }}
      onPointerUp={() => { dragging.current = null; }} onPointerCancel={() => { dragging.current = null; }}>
      <circle r={r} />
      <text fontSize={r * 1.2} textAnchor="middle" dominantBaseline="central">{n}</text>
    </g>
  );
}
