// The site on a real server with real cameras: the plaza clip (ffmpeg, the real detector) cut into two overlapping
// tile cameras, each calibrated to the floor plan by point pairs. People in the overlap are seen by both cameras and
// are one person with one global id (on the live map, on the tracks messages, in event subjects); areas count them
// once where the per-camera sum counts them twice; trajectories are stored and served. Bad site input (a plan without
// scale, an area off its plan, a camera calibrated to a plan the site does not have, too few pairs) is reported with
// its fix and every camera keeps running.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import WebSocket from 'ws';
import { startApp, type RunningApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { ASSETS } from './support/assets.ts';
import { EAST, PLAN_H, PLAN_W, pairsFor, plazaSite } from './support/plaza-site.ts';
import { waitFor } from './support/wait.ts';

interface TracksMessage { type: 'tracks'; cameraId: string; tracks: { id: number; map?: { globalId: number | null; positionM: [number, number] } }[] }
interface MapMessage { type: 'map'; people: { globalId: number; cameras: string[]; areas: string[] }[]; occupancy: Record<string, number> }

test('two overlapping calibrated cameras: one person, one global id; areas counted once; trajectories stored; bad site input reported', { timeout: 240_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-site-'));
  let app: RunningApp | null = null;
  let ws: WebSocket | null = null;
  try {
    const r = validateConfig({
      server: { port: 0 }, auth: { enabled: false }, dataDir, assets: ASSETS, models: { download: false }, log: { level: 'silent' },
      ...plazaSite(),
      site: {
        ...plazaSite().site,
        // Rules on the plan: a person in the overlap (seen by both cameras, one episode), anyone on the plaza (distinct
        // people), crossings of the plaza's middle line.
        lines: [{ id: 'middle', plan: 'floor', pointsM: [[PLAN_W / 2, 0], [PLAN_W / 2, PLAN_H]] }],
        rules: [
          { type: 'presence', id: 'in-overlap', area: 'overlap', minDurationMs: 500 },
          { type: 'occupancy', id: 'plaza-busy', area: 'plaza', max: 0, seconds: 1 },
          { type: 'line', id: 'middle-crossings', line: 'middle' },
        ],
      },
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    app = await startApp(r.config, pino({ level: process.env.SITE_LOG ?? 'silent' }));
    const base = app.url;

    // What cannot be used is named with its fix; the cameras all run.
    const site = (await (await fetch(`${base}/api/site`)).json()) as { cameras: { id: string; calibrated: boolean; rmsErrorM: number | null }[]; problems: { path: string; message: string }[]; areas: { id: string; counted: boolean }[] };
    const problems = site.problems.map((p) => `${p.path}: ${p.message}`).join('\n');
    assert.match(problems, /site\.plans\[1\]: plan "sketch": the floor plan has no scale/);
    assert.match(problems, /site\.areas\[2\]\.polygonM\[\d\]: area "car-park": .*outside/);
    assert.match(problems, /cameras\[0\]\.calibration\.plan: camera "plaza" is calibrated to plan "elsewhere", which is not a plan of this site \(plans: floor, sketch\); .*runs without a map position/);
    assert.deepEqual(site.cameras.map((c) => [c.id, c.calibrated]), [['plaza', false], ['west', true], ['east', true]]);
    assert.ok(site.cameras[1]!.rmsErrorM! < 0.01, `exact clicks fit exactly: ${site.cameras[1]!.rmsErrorM}`);
    assert.deepEqual(site.areas.map((a) => [a.id, a.counted]), [['overlap', true], ['plaza', true], ['car-park', false]]);

    ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws?types=tracks,map`);
    const seen = { fusedInOverlap: null as MapMessage['people'][number] | null, doubled: 0, globalOnTracks: new Map<string, Set<number>>() };
    let lastTracks = new Map<string, TracksMessage>();
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as TracksMessage | MapMessage | { type: string };
      if (m.type === 'tracks') {
        const t = m as TracksMessage;
        lastTracks.set(t.cameraId, t);
        for (const track of t.tracks) if (track.map?.globalId != null) (seen.globalOnTracks.get(t.cameraId) ?? seen.globalOnTracks.set(t.cameraId, new Set()).get(t.cameraId)!).add(track.map.globalId);
      } else if (m.type === 'map') {
        const map = m as MapMessage;
        const both = map.people.find((p) => p.cameras.length === 2 && p.areas.includes('overlap'));
        if (both) seen.fusedInOverlap = both;
        // The per-camera sum in the overlap: every live track of either camera standing in it.
        const inOverlap = (x: number) => x >= 0.4 * PLAN_W && x <= 0.6 * PLAN_W;
        const summed = ['west', 'east'].reduce((n, c) => n + (lastTracks.get(c)?.tracks.filter((t) => t.map && inOverlap(t.map.positionM[0])).length ?? 0), 0);
        if (summed > (map.occupancy['overlap'] ?? 0)) seen.doubled++;
      }
    });
    await waitFor('a person seen by both cameras in the overlap, as one person', () => seen.fusedInOverlap, 90_000, 200);
    await waitFor('the overlap counted once while the per-camera sum counts it twice (3 map updates)', () => seen.doubled >= 3, 60_000, 200);
    const shared = [...(seen.globalOnTracks.get('west') ?? [])].filter((g) => seen.globalOnTracks.get('east')?.has(g));
    assert.ok(shared.length > 0, 'the same global id on tracks messages of both cameras');
    assert.equal(seen.globalOnTracks.has('plaza'), false, 'an uncalibrated camera has no map positions');
    // Re-id embeddings are made for new tracks (good crops only) through the real OSNet model, beside the positions.
    await waitFor('re-id embeddings of new tracks', async () => ((await (await fetch(`${base}/api/site`)).json()) as { appearance: { embeddings: number } }).appearance.embeddings > 0, 30_000, 500);
    lastTracks = new Map();

    // Event subjects carry the global id.
    const events = await waitFor('a presence event on west whose subject has a global id', async () => {
      const list = (await (await fetch(`${base}/api/events?camera=west&limit=20`)).json()) as { events: { subjects: { globalId?: number | null }[] }[] };
      return list.events.find((e) => e.subjects.some((s) => typeof s.globalId === 'number'));
    }, 60_000, 500);
    assert.ok(events);

    // Site rules: events of distinct people on the plan, on the camera that saw them, with the plan, the global id and
    // a snapshot of that camera's frame.
    interface SiteEvent { id: string; type: string; ruleId: string; cameraId: string; attributes: Record<string, unknown>; subjects: { globalId?: number | null; cameraId?: string; trackId: number }[]; snapshotUrl: string | null }
    const siteEvents = async () => ((await (await fetch(`${base}/api/events?limit=200`)).json()) as { events: SiteEvent[] }).events.filter((e) => e.attributes['planId'] === 'floor');
    const presence = await waitFor('a site presence event in the overlap with a snapshot', async () => (await siteEvents()).find((e) => e.ruleId === 'in-overlap' && e.snapshotUrl !== null), 60_000, 500);
    assert.equal(presence.type, 'presence');
    assert.equal(presence.attributes['zoneId'], 'overlap');
    assert.ok(['west', 'east'].includes(presence.cameraId), presence.cameraId);
    assert.equal(typeof presence.subjects[0]!.globalId, 'number');
    assert.equal(presence.subjects[0]!.cameraId, presence.cameraId, 'the subject is the track of the event\'s camera');
    const snap = await fetch(new URL(presence.snapshotUrl!, base));
    assert.equal(snap.headers.get('content-type'), 'image/jpeg');
    // The occupancy rule is another rule: its event is written on its own, maybe after the presence event.
    const busy = await waitFor('occupancy of the plaza above 0', async () => (await siteEvents()).find((e) => e.ruleId === 'plaza-busy'), 30_000, 500);
    assert.equal(busy.attributes['condition'], 'above');
    assert.ok(busy.subjects.length >= 1 && busy.subjects.length <= Number(busy.attributes['count']), `at most one subject per distinct person: ${busy.subjects.length} for ${busy.attributes['count']}`);
    assert.equal(new Set(busy.subjects.map((x) => x.globalId)).size, busy.subjects.length, 'no person twice');
    const crossing = await waitFor('a crossing of the plaza\'s middle line', async () => (await siteEvents()).find((e) => e.ruleId === 'middle-crossings'), 90_000, 1000);
    assert.ok(['in', 'out'].includes(String(crossing.attributes['direction'])));

    // Stored trajectories and de-duplicated occupancy.
    const tracks = await waitFor('stored trajectories of west', async () => {
      const body = (await (await fetch(`${base}/api/tracks?camera=west&from=${Date.now() - 600_000}`)).json()) as { tracks: { globalId: number | null; points: unknown[] }[] };
      return body.tracks.filter((t) => t.points.length >= 2).length > 0 ? body.tracks : undefined;
    }, 30_000, 500);
    assert.ok(tracks.every((t) => t.globalId !== null), 'people tracks are stored with their global id');
    const occ = (await (await fetch(`${base}/api/areas/plaza/occupancy?from=${Date.now() - 600_000}`)).json()) as { points: { distinct: number; max: number }[]; now: number };
    assert.ok(occ.points.some((p) => p.distinct > 0 && p.max > 0), JSON.stringify(occ.points.slice(-3)));
    const heat = (await (await fetch(`${base}/api/site/heatmap?plan=floor&cellM=1&from=${Date.now() - 600_000}`)).json()) as { columns: number; rows: number; maxCount: number };
    assert.deepEqual([heat.columns, heat.rows], [20, 15]);
    assert.ok(heat.maxCount > 0);
    const missing = await fetch(`${base}/api/areas/nowhere/occupancy`);
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: { message: string } }).error.message, /no area "nowhere"; areas: overlap, plaza, car-park/);

    // A plan picture stored through the API and served back; a body that is not what it claims is refused.
    const picture = new Uint8Array(await (await fetch(`${base}/api/cameras/plaza/latest.jpg`)).arrayBuffer());
    const stored = await fetch(`${base}/api/site/plans/floor/image`, { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: picture });
    assert.equal(stored.status, 200, await stored.text());
    const served = await fetch(`${base}/api/site/plans/floor/image`);
    assert.equal(served.headers.get('content-type'), 'image/jpeg');
    assert.deepEqual(new Uint8Array(await served.arrayBuffer()), picture);
    const fake = await fetch(`${base}/api/site/plans/floor/image`, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: picture });
    assert.equal(fake.status, 400);
    assert.match(((await fake.json()) as { error: { message: string } }).error.message, /not a PNG picture/);
    assert.equal((await fetch(`${base}/api/site/plans/sketch/image`)).status, 404);

    // A calibration broken through the API: reported, the camera keeps running without a restart.
    const before = ((await (await fetch(`${base}/api/cameras`)).json()) as { cameras: { id: string; restarts: number; framesProcessed: number }[] }).cameras.find((c) => c.id === 'east')!;
    const patch = await fetch(`${base}/api/cameras/east`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ calibration: { plan: 'floor', pointPairs: pairsFor(EAST).slice(0, 3) } }) });
    assert.equal(patch.status, 200, await patch.text());
    const after = (await (await fetch(`${base}/api/site`)).json()) as typeof site;
    assert.equal(after.cameras.find((c) => c.id === 'east')!.calibrated, false);
    assert.match(after.problems.map((p) => p.message).join('\n'), /camera "east": a calibration needs 4 or more point pairs .*got 3/);
    await waitFor('east still analysing frames, not restarted', async () => {
      const now = ((await (await fetch(`${base}/api/cameras`)).json()) as { cameras: { id: string; restarts: number; framesProcessed: number; state: string }[] }).cameras.find((c) => c.id === 'east')!;
      return now.framesProcessed > before.framesProcessed + 5 && now.restarts === before.restarts && now.state === 'online';
    }, 30_000, 300);
  } finally {
    ws?.close();
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
