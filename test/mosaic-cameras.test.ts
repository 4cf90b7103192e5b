// A DVR mosaic as a camera: a 2x2 mosaic file built by ffmpeg from the real clips is served as one camera; the API
// finds its grid and proposes tile cameras; one call adds them while the mosaic runs on, and each tile runs as its own
// camera (own size, tracker and events) on the mosaic's single ffmpeg.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { startApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { ASSETS } from './support/assets.ts';
import { buildMosaic } from './support/mosaic.ts';
import { assertEventsMatchSchema } from './support/event-schema.ts';
import { ffmpegChildren, waitFor } from './support/wait.ts';

const dir = mkdtempSync(join(tmpdir(), 'sightline-mosaic-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const mosaicFile = join(dir, 'dvr.mp4');
buildMosaic(mosaicFile, 10);

function config(extra: unknown[]) {
  const r = validateConfig({
    server: { port: 0 }, auth: { enabled: false }, dataDir: join(dir, 'data'), assets: ASSETS, log: { level: 'silent' }, models: { download: false },
    cameras: [{ id: 'dvr', source: { url: mosaicFile }, detect: { fps: 5, width: 1280 }, record: { mode: 'off' } }, ...extra],
  });
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.problems));
  return r.config;
}
const get = async (url: string) => (await fetch(url)).json() as Promise<any>;

test('the grid of a mosaic camera is found, accepted with one call, and its tiles run as cameras of their own', async () => {
  const app = await startApp(config([]), pino({ level: 'silent' }));
  try {
    const grid = await waitFor('grid', async () => {
      const g = await get(`${app.url}/api/cameras/dvr/grid`);
      return g.frames >= 4 ? g : undefined;
    }, 30_000);
    assert.deepEqual([grid.rows, grid.columns, grid.sure], [2, 2, true], grid.doubts?.join('; '));
    const suggested = grid.suggestedCameras;
    assert.deepEqual(suggested.map((c: any) => c.id), ['dvr-1-1', 'dvr-1-2', 'dvr-2-1', 'dvr-2-2']);
    assert.deepEqual(suggested[3].source.url, 'tile:dvr');
    suggested[3].source.crop.forEach((v: number) => assert.ok(Math.abs(v - 0.5) < 0.01, `tile 2-2 crop ${suggested[3].source.crop}`));

    // One call adds the tile cameras; the mosaic camera runs on.
    const before = await get(`${app.url}/api/cameras/dvr`);
    const accepted = await fetch(`${app.url}/api/cameras/dvr/grid/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(accepted.status, 200, await accepted.clone().text());
    assert.deepEqual(((await accepted.json()) as { cameras: string[] }).cameras, ['dvr-1-1', 'dvr-1-2', 'dvr-2-1', 'dvr-2-2']);
    await waitFor('tile cameras analyse frames', async () => {
      const { cameras } = await get(`${app.url}/api/cameras`);
      return cameras.filter((c: any) => c.id.startsWith('dvr-') && c.framesProcessed > 5).length === 4;
    }, 30_000);
    const mosaic = await get(`${app.url}/api/cameras/dvr`);
    assert.ok(mosaic.framesProcessed > before.framesProcessed, 'the mosaic camera did not restart');
    const tile = await get(`${app.url}/api/cameras/dvr-1-1`);
    assert.equal(tile.state, 'online');
    assert.equal(ffmpegChildren().split('\n').filter(Boolean).length, 1, 'one ffmpeg for the mosaic and its tiles');
    const events = await waitFor('a person event on the street tile', async () => {
      const body = await get(`${app.url}/api/events?camera=dvr-1-1`);
      return body.events.length > 0 ? body.events : undefined;
    }, 30_000);
    assert.equal(events[0].cameraId, 'dvr-1-1');
    assert.ok(events[0].subjects[0].boxXyxy[2] <= 640, 'boxes in the tile\'s own pixels');
    assertEventsMatchSchema(events, 'tile camera events');
    // Accepting again would add the same cameras twice: refused.
    assert.equal((await fetch(`${app.url}/api/cameras/dvr/grid/accept`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 409);
  } finally {
    await app.stop();
  }
});

test('a tile camera without its crop, or of an unknown camera, is refused with the reason', () => {
  const r = validateConfig({ cameras: [{ id: 'a', source: { url: 'tile:dvr' } }] });
  assert.equal(r.ok, false);
  const text = r.ok ? '' : JSON.stringify(r.problems);
  assert.match(text, /a tile camera needs both url \\"tile:CAMERA\\" and crop/);
  assert.match(text, /\\"tile:dvr\\" must name another camera that is not itself a tile/);
});
