// The inference API on a real server with the real models: the MOT17-09 frame sent to yolox-nano finds the people the
// assets MANIFEST names, in the picture's pixels (matched against the ground truth); several pictures in one multipart
// request; an embedder answers with a unit vector; a pose model with keypoints; bad input gets a clear 4xx.
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import sharpForTest from 'sharp';
import { startApp, type RunningApp } from '../src/app.ts';
import { validateConfig } from '../src/config/load.ts';
import { asset, ASSETS } from './support/assets.ts';

interface Answer {
  model: string;
  task: string;
  results: { width: number; height: number; detections?: { label: string; score: number; boxXyxy: [number, number, number, number]; keypoints?: unknown[] }[]; embedding?: number[] }[];
}

const FRAME = 'mot/MOT17/train/MOT17-09-FRCNN/img1/000001.jpg';

/** Persons of frame 1 in the ground truth at least half visible, as clipped [x1, y1, x2, y2]. */
function groundTruth(): [number, number, number, number][] {
  return readFileSync(asset('mot/MOT17/train/MOT17-09-FRCNN/gt/gt.txt'), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number))
    .filter((f) => f[0] === 1 && f[6] === 1 && f[7] === 1 && f[8]! >= 0.5)
    .map((f) => [Math.max(0, f[2]!), Math.max(0, f[3]!), Math.min(1920, f[2]! + f[4]!), Math.min(1080, f[3]! + f[5]!)]);
}

function iou(a: readonly number[], b: readonly number[]): number {
  const w = Math.max(0, Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!));
  const h = Math.max(0, Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!));
  const inter = w * h;
  return inter / ((a[2]! - a[0]!) * (a[3]! - a[1]!) + (b[2]! - b[0]!) * (b[3]! - b[1]!) - inter);
}

test('POST /api/infer/:model: people found in the MOT17-09 frame, multipart, embeddings, poses, and clear errors', { timeout: 180_000 }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sightline-infer-'));
  let app: RunningApp | null = null;
  try {
    const r = validateConfig({
      server: { port: 0 }, auth: { enabled: false }, dataDir, assets: ASSETS, models: { download: false },
      cameras: [{ id: 'idle', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }],
    });
    assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
    app = await startApp(r.config, pino({ level: 'silent' }));
    const jpeg = readFileSync(asset(FRAME));
    const post = (path: string, body: BodyInit, type?: string) => fetch(`${app!.url}${path}`, { method: 'POST', body, ...(type ? { headers: { 'content-type': type } } : {}) });

    // YOLOX-nano needs its tiled passes for the far people of this 1920-px frame (as cameras with tiling: auto).
    const res = await post('/api/infer/yolox-nano?labels=person&tiling=auto', jpeg, 'image/jpeg');
    assert.equal(res.status, 200, await res.clone().text());
    const answer = (await res.json()) as Answer;
    assert.equal(answer.task, 'detect');
    const [one] = answer.results;
    assert.deepEqual([one!.width, one!.height], [1920, 1080], 'the picture\'s own size');
    const people = one!.detections!.filter((d) => d.score > 0.3);
    const gt = groundTruth();
    assert.equal(gt.length, 4, 'four of the six are at least half visible');
    const found = (dets: { boxXyxy: readonly number[] }[]) => gt.filter((g) => dets.some((d) => iou(d.boxXyxy, g) >= 0.5)).length;
    assert.ok(people.length >= 6, `MANIFEST: 6 persons with score > 0.3; got ${people.map((d) => d.score).join(', ')}`);
    assert.equal(found(people), 4, `boxes in picture pixels: ${found(people)} of the 4 visible ground-truth persons matched (IoU >= 0.5)`);
    assert.ok(one!.detections!.every((d) => d.label === 'person'), 'labels=person keeps persons only');
    // YOLOv8n int8 in one pass: the MANIFEST's 6 persons at score > 0.4.
    const v8 = (await (await post('/api/infer/yolov8n-int8?labels=person&score=0.4', jpeg, 'image/jpeg')).json()) as Answer;
    const v8people = v8.results[0]!.detections!;
    assert.equal(v8people.length, 6, `got ${v8people.map((d) => d.score).join(', ')}`);
    assert.equal(found(v8people), 4, `${found(v8people)} of 4 matched`);

    // The same picture as PNG, and two pictures in one multipart request.
    const png = await sharpForTest(jpeg).png().toBuffer();
    const form = new FormData();
    form.append('a', new Blob([jpeg], { type: 'image/jpeg' }), 'a.jpg');
    form.append('b', new Blob([png], { type: 'image/png' }), 'b.png');
    const multi = (await (await post('/api/infer/yolox-nano?score=0.3', form)).json()) as Answer;
    assert.equal(multi.results.length, 2);
    const counts = multi.results.map((x) => x.detections!.filter((d) => d.label === 'person').length);
    assert.equal(counts[0], counts[1], 'the same picture as JPEG and PNG: the same people');
    assert.ok(counts[0]! >= 3);

    // An embedder: one unit vector for the picture; a pose model: keypoints.
    const crop = await sharpForTest(jpeg).extract({ left: 260, top: 450, width: 102, height: 262 }).jpeg().toBuffer();
    const emb = (await (await post('/api/infer/osnet-x0.25-msmt17', crop, 'image/jpeg')).json()) as Answer;
    assert.equal(emb.task, 'embed');
    const v = emb.results[0]!.embedding!;
    assert.equal(v.length, 512);
    assert.ok(Math.abs(Math.hypot(...v) - 1) < 1e-3, 'L2-normalised');
    const pose = (await (await post('/api/infer/yolo11n-pose', jpeg, 'image/jpeg')).json()) as Answer;
    assert.equal(pose.task, 'pose');
    assert.ok(pose.results[0]!.detections!.some((d) => d.keypoints?.length === 17));

    // Bad input: clear 4xx.
    const notImage = await post('/api/infer/yolox-nano', Buffer.from('not a picture at all'), 'image/jpeg');
    assert.equal(notImage.status, 400);
    assert.match(((await notImage.json()) as { error: { code: string; message: string } }).error.message, /expected a JPEG, PNG or WebP image/);
    const wrongType = await post('/api/infer/yolox-nano', '{}', 'application/json');
    assert.equal(wrongType.status, 415);
    const unknown = await post('/api/infer/no-such-model', jpeg, 'image/jpeg');
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'MODEL_NOT_FOUND');
    const path = await post('/api/infer/yolox_nano.onnx', jpeg, 'image/jpeg');
    assert.equal(path.status, 404, 'file names are not model ids');
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
