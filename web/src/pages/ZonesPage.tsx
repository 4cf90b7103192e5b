/**
 * Zones and lines (operator), drawn on the camera's latest frame: click to place points (a zone closes with "Finish"
 * or Enter, a line takes two), drag vertices (snapping to other vertices and the frame edges), flip a line's "in" side,
 * undo and redo (Ctrl+Z / Ctrl+Shift+Z). Problems are shown on the drawing before saving; the server's validation
 * errors are shown next to the shape they name.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { Arrow, Circle, Image as KImage, Layer, Line, Stage } from 'react-konva';
import { PerCameraPage } from '../components/PerCameraPage';
import { api, errorMessage, unwrap } from '../api/client';
import { History, inTickNorm, lineProblem, moveVertex, polygonProblem, snapPoint, type PointNorm } from '../lib/geometry-edit';

interface Zone { id: string; polygon: PointNorm[]; [k: string]: unknown }
interface CountLine { id: string; points: PointNorm[]; in: 'left' | 'right'; [k: string]: unknown }
interface Drawing { zones: Zone[]; lines: CountLine[] }
type Selection = { kind: 'zone' | 'line'; index: number } | null;

const SNAP_PX = 10;

export default function Page() {
  return <PerCameraPage base="zones" title="Zones and lines">{(cameraId) => <Editor key={cameraId} cameraId={cameraId} />}</PerCameraPage>;
}

function Editor({ cameraId }: { cameraId: string }) {
  const client = useQueryClient();
  const path = { params: { path: { id: cameraId } } };
  const zonesQ = useQuery({ queryKey: ['zones', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/zones', path)) });
  const linesQ = useQuery({ queryKey: ['lines', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}/lines', path)) });
  const history = useRef<History<Drawing> | null>(null);
  const [, redraw] = useReducer((n: number) => n + 1, 0);
  const [selected, setSelected] = useState<Selection>(null);
  const [drawing, setDrawing] = useState<{ kind: 'zone' | 'line'; points: PointNorm[] } | null>(null);
  const [serverError, setServerError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  // The picture exists once the camera decoded a frame (a camera added a moment ago has none yet).
  const status = useQuery({
    queryKey: ['camera', cameraId], queryFn: async () => unwrap(await api.GET('/api/cameras/{id}', path)),
    refetchInterval: (q) => ((q.state.data?.framesProcessed ?? 0) > 0 ? false : 1000),
  });
  const image = useLatestFrame(cameraId, (status.data?.framesProcessed ?? 0) > 0);
  const box = useRef<HTMLDivElement>(null);
  const width = Math.min(960, box.current?.clientWidth ?? 960);
  const height = image ? Math.round((width * image.naturalHeight) / image.naturalWidth) : Math.round(width * 9 / 16);

  if (!history.current && zonesQ.data && linesQ.data) {
    history.current = new History<Drawing>({ zones: zonesQ.data.items as unknown as Zone[], lines: (linesQ.data.items as unknown as CountLine[]).map((l) => ({ ...l, in: l.in ?? 'right' })) });
  }
  const h = history.current;
  const doc = h?.value ?? { zones: [], lines: [] };
  const edit = (next: Drawing) => { h?.push(next); setSaved(null); redraw(); };
  const toPx = ([x, y]: PointNorm) => [x * width, y * height] as const;
  const vertices = useMemo(() => [...doc.zones.flatMap((z) => z.polygon), ...doc.lines.flatMap((l) => l.points)], [doc]);
  const snap = (p: PointNorm, except: PointNorm[] = []) => snapPoint(p, vertices.filter((v) => !except.includes(v)), SNAP_PX / width);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'z') {
        e.preventDefault();
        if (e.shiftKey) h?.redo(); else h?.undo();
        redraw();
      } else if (e.key === 'Enter' && drawing) finish();
      else if (e.key === 'Escape') setDrawing(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const nextId = (kind: 'zone' | 'line') => {
    const taken = new Set([...doc.zones.map((z) => z.id), ...doc.lines.map((l) => l.id)]);
    for (let n = 1; ; n++) if (!taken.has(`${kind}-${n}`)) return `${kind}-${n}`;
  };
  const finish = () => {
    if (!drawing) return;
    if (drawing.kind === 'zone' && drawing.points.length >= 3) {
      edit({ ...doc, zones: [...doc.zones, { id: nextId('zone'), polygon: drawing.points }] });
      setSelected({ kind: 'zone', index: doc.zones.length });
    }
    setDrawing(null);
  };
  const onStageClick = (x: number, y: number) => {
    if (!drawing) return;
    const p = snap([x / width, y / height]);
    const points = [...drawing.points, p];
    if (drawing.kind === 'line' && points.length === 2) {
      edit({ ...doc, lines: [...doc.lines, { id: nextId('line'), points, in: 'right' }] });
      setSelected({ kind: 'line', index: doc.lines.length });
      setDrawing(null);
    } else setDrawing({ ...drawing, points });
  };
  const save = async () => {
    setServerError(null);
    try {
      unwrap(await api.PUT('/api/cameras/{id}/zones', { ...path, body: { items: doc.zones } }));
      unwrap(await api.PUT('/api/cameras/{id}/lines', { ...path, body: { items: doc.lines } }));
      await client.invalidateQueries({ queryKey: ['zones', cameraId] });
      await client.invalidateQueries({ queryKey: ['lines', cameraId] });
      setSaved('Saved; the camera uses them from its next frame.');
    } catch (err) {
      setServerError(errorMessage(err));
    }
  };
  const problems = [
    ...doc.zones.map((z, i) => ({ kind: 'zone' as const, index: i, id: z.id, p: polygonProblem(z.polygon) })).filter((x) => x.p).map((x) => ({ ...x, message: x.p!.message, vertices: x.p!.vertices })),
    ...doc.lines.map((l, i) => ({ kind: 'line' as const, index: i, id: l.id, message: lineProblem(l.points), vertices: [] as number[] })).filter((x) => x.message),
  ];

  if (zonesQ.isError || linesQ.isError) return <p className="error" role="alert">{(zonesQ.error ?? linesQ.error)?.message}</p>;
  if (!h) return <p role="status">Loading…</p>;
  return (
    <div className="editor">
      <div className="toolbar">
        <button type="button" onClick={() => setDrawing({ kind: 'zone', points: [] })} aria-pressed={drawing?.kind === 'zone'}>New zone</button>
        <button type="button" onClick={() => setDrawing({ kind: 'line', points: [] })} aria-pressed={drawing?.kind === 'line'}>New line</button>
        {drawing?.kind === 'zone' ? <button type="button" onClick={finish} disabled={drawing.points.length < 3}>Finish zone</button> : null}
        <button type="button" onClick={() => { h.undo(); redraw(); }} disabled={!h.canUndo}>Undo</button>
        <button type="button" onClick={() => { h.redo(); redraw(); }} disabled={!h.canRedo}>Redo</button>
        <button type="submit" onClick={() => void save()} disabled={problems.length > 0}>Save</button>
        <span role="status" className="muted">{!image ? 'Waiting for the camera\'s first frame… ' : ''}{drawing ? (drawing.kind === 'zone' ? 'Click the corners, then Finish (Enter).' : 'Click the two ends of the line.') : saved ?? ''}</span>
      </div>
      <div ref={box} className="canvas-box" role="group" aria-label={`Drawing on the latest frame of ${cameraId}: its zones and lines (the list below edits them too)`}>
        <Stage width={width} height={height} onClick={(e) => { const p = e.target.getStage()?.getPointerPosition(); if (p) onStageClick(p.x, p.y); }}>
          <Layer listening={false}>{image ? <KImage image={image} width={width} height={height} /> : null}</Layer>
          <Layer>
            {doc.zones.map((z, i) => {
              const bad = problems.some((p) => p.kind === 'zone' && p.index === i);
              return (
                <Line key={`z${i}`} points={z.polygon.flatMap((p) => [...toPx(p)])} closed stroke={bad ? '#ff3b30' : '#ffd60a'} strokeWidth={2}
                  fill={selected?.kind === 'zone' && selected.index === i ? 'rgba(255,214,10,0.25)' : 'rgba(255,214,10,0.1)'}
                  onClick={(e) => { if (!drawing) { e.cancelBubble = true; setSelected({ kind: 'zone', index: i }); } }} />
              );
            })}
            {doc.lines.map((l, i) => {
              return (
                <Line key={`l${i}`} points={l.points.flatMap((p) => [...toPx(p)])} stroke="#ff375f" strokeWidth={selected?.kind === 'line' && selected.index === i ? 4 : 2} hitStrokeWidth={12}
                  onClick={(e) => { if (!drawing) { e.cancelBubble = true; setSelected({ kind: 'line', index: i }); } }} />
              );
            })}
            {doc.lines.map((l, i) => {
              const t = inTickNorm(l.points[0]!, l.points[1]!, l.in, width, height, 24);
              return <Arrow key={`a${i}`} points={t.flat()} stroke="#ff375f" fill="#ff375f" strokeWidth={2} pointerLength={8} pointerWidth={8} listening={false} />;
            })}
            {selectedPoints(doc, selected).map((p, k) => {
              const bad = problems.some((x) => selected && x.kind === selected.kind && x.index === selected.index && x.vertices.includes(k));
              return (
                <Circle key={`v${k}`} x={toPx(p)[0]} y={toPx(p)[1]} radius={7} fill={bad ? '#ff3b30' : '#fff'} stroke="#000" strokeWidth={1} draggable
                  onDragEnd={(e) => {
                    const moved = snap([e.target.x() / width, e.target.y() / height], [p]);
                    edit(updateSelected(doc, selected!, (pts) => moveVertex(pts, k, moved)));
                  }} />
              );
            })}
            {drawing ? <Line points={drawing.points.flatMap((p) => [...toPx(p)])} stroke="#0af" strokeWidth={2} dash={[6, 4]} listening={false} /> : null}
            {drawing?.points.map((p, k) => <Circle key={`d${k}`} x={toPx(p)[0]} y={toPx(p)[1]} radius={4} fill="#0af" listening={false} />)}
          </Layer>
        </Stage>
      </div>
      {problems.length > 0 ? (
        <ul className="problems" role="alert">{problems.map((p) => <li key={`${p.kind}${p.index}`}>{p.kind} {p.id}: {p.message}</li>)}</ul>
      ) : null}
      {serverError ? <p className="error" role="alert">Not saved: {serverError}</p> : null}
      <ShapeList doc={doc} selected={selected} onSelect={setSelected} onEdit={edit} />
    </div>
  );
}

function selectedPoints(doc: Drawing, s: Selection): PointNorm[] {
  if (!s) return [];
  return s.kind === 'zone' ? doc.zones[s.index]?.polygon ?? [] : doc.lines[s.index]?.points ?? [];
}

function updateSelected(doc: Drawing, s: NonNullable<Selection>, f: (pts: PointNorm[]) => PointNorm[]): Drawing {
  if (s.kind === 'zone') return { ...doc, zones: doc.zones.map((z, i) => (i === s.index ? { ...z, polygon: f(z.polygon) } : z)) };
  return { ...doc, lines: doc.lines.map((l, i) => (i === s.index ? { ...l, points: f(l.points) } : l)) };
}

/** The shapes as a list: select, rename, flip a line's inside, remove a vertex or the shape. */
function ShapeList({ doc, selected, onSelect, onEdit }: { doc: Drawing; selected: Selection; onSelect: (s: Selection) => void; onEdit: (d: Drawing) => void }) {
  return (
    <table>
      <caption className="sr-only">Zones and lines</caption>
      <thead><tr><th scope="col">Kind</th><th scope="col">Id</th><th scope="col">Points</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
      <tbody>
        {doc.zones.map((z, i) => (
          <tr key={`z${i}`} className={selected?.kind === 'zone' && selected.index === i ? 'selected' : ''}>
            <td>zone</td>
            <td><input aria-label={`Id of zone ${i + 1}`} value={z.id} onChange={(e) => onEdit({ ...doc, zones: doc.zones.map((x, k) => (k === i ? { ...x, id: e.target.value } : x)) })} /></td>
            <td>{z.polygon.length}</td>
            <td className="actions">
              <button type="button" onClick={() => onSelect({ kind: 'zone', index: i })}>Edit points</button>
              <button type="button" className="danger" onClick={() => { onEdit({ ...doc, zones: doc.zones.filter((_, k) => k !== i) }); onSelect(null); }}>Remove</button>
            </td>
          </tr>
        ))}
        {doc.lines.map((l, i) => (
          <tr key={`l${i}`} className={selected?.kind === 'line' && selected.index === i ? 'selected' : ''}>
            <td>line</td>
            <td><input aria-label={`Id of line ${i + 1}`} value={l.id} onChange={(e) => onEdit({ ...doc, lines: doc.lines.map((x, k) => (k === i ? { ...x, id: e.target.value } : x)) })} /></td>
            <td>{l.points.length}, in on the {l.in}</td>
            <td className="actions">
              <button type="button" onClick={() => onSelect({ kind: 'line', index: i })}>Edit points</button>
              <button type="button" onClick={() => onEdit({ ...doc, lines: doc.lines.map((x, k) => (k === i ? { ...x, in: x.in === 'left' ? 'right' : 'left' } : x)) })}>Flip inside</button>
              <button type="button" className="danger" onClick={() => { onEdit({ ...doc, lines: doc.lines.filter((_, k) => k !== i) }); onSelect(null); }}>Remove</button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The camera's latest frame as an image element, once `ready` (reloaded when the camera changes). */
function useLatestFrame(cameraId: string, ready: boolean): HTMLImageElement | null {
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    if (!ready) return;
    const i = new window.Image();
    i.onload = () => setImg(i);
    i.src = `/api/cameras/${encodeURIComponent(cameraId)}/latest.jpg?t=${Date.now()}`;
    return () => { i.onload = null; };
  }, [cameraId, ready]);
  return img;
}

