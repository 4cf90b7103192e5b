// Offline sources read one frame ahead and start its detection while the current frame is tracked: the model and the
// main thread work side by side, and nothing changes in what comes out. A stand-in detector (no model here) records
// when each frame's detection starts and ends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { cameraWithRules } from '../config/rules-file.ts';
import type { Detection, Frame } from '../core/types.ts';
import type { FrameModelManifest } from '../vision/detector.ts';
import { runAnalysis } from './analyze.ts';
import type { FrameSource } from './ports.ts';
import type { FrameDetector } from './shared-detector.ts';

const FRAMES = 30;

function source(wallClock: boolean): FrameSource {
  let i = 0;
  return {
    wallClock,
    start() {},
    async next(): Promise<Frame | null> {
      if (i >= FRAMES) return null;
      const index = i++;
      return { index, timeMs: index * 100, width: 640, height: 480, rgb: new Uint8Array(640 * 480 * 3) };
    },
    async stop() {},
    status: () => ({ state: 'online', lastError: null, framesDecoded: i, framesDropped: 0, restarts: 0, fpsMeasured: 0, width: 640, height: 480 }),
  };
}

/** Two people walking right; frame `failOn`'s detection fails. Records the order of starts and ends. */
function detector(failOn: number | null) {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const port: FrameDetector = {
    manifest: { id: 'stand-in', labels: ['person'], defaultScoreThreshold: 0.3 } as unknown as FrameModelManifest,
    async detect(frame: Frame): Promise<Detection[]> {
      log.push(`start ${frame.index}`);
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
      log.push(`end ${frame.index}`);
      if (frame.index === failOn) throw new Error('model failed');
      const x = 10 + frame.index * 4;
      return [
        { boxXyxy: [x, 100, x + 40, 220], score: 0.95, classId: 0, label: 'person' },
        { boxXyxy: [x + 300, 120, x + 340, 240], score: 0.92, classId: 0, label: 'person' },
      ];
    },
  };
  return { port, log, maxRunning: () => maxRunning };
}

const camera = cameraWithRules({ id: 'c', source: { url: 'x.mp4', loop: false }, motion: { enabled: false } }, {});
const run = (wallClock: boolean, failOn: number | null = null) => {
  const d = detector(failOn);
  return runAnalysis(camera, { source: source(wallClock), detector: d.port, newId: (() => { let n = 0; return () => `e${++n}`; })(), log: pino({ level: 'silent' }), totalFrames: FRAMES }).then((r) => ({ r, d }));
};

test('offline, the next frame is detected while this one is tracked; tracks and events are those of one frame at a time', async () => {
  const ahead = await run(false);
  const oneAtATime = await run(true); // a live-like source: no read-ahead
  assert.equal(ahead.d.maxRunning(), 2, 'two detections in flight');
  assert.equal(oneAtATime.d.maxRunning(), 1);
  // Every frame detected once, started in frame order.
  const starts = ahead.d.log.filter((l) => l.startsWith('start')).map((l) => Number(l.split(' ')[1]));
  assert.deepEqual(starts, Array.from({ length: FRAMES }, (_, i) => i));
  assert.equal(ahead.r.framesAnalyzed, FRAMES);
  assert.deepEqual(ahead.r.trackRows, oneAtATime.r.trackRows);
  assert.ok(ahead.r.trackRows.length >= 2 * (FRAMES - 2), `${ahead.r.trackRows.length} rows`);
  assert.deepEqual(ahead.r.events.map((e) => [e.type, e.startMs, e.endMs]), oneAtATime.r.events.map((e) => [e.type, e.startMs, e.endMs]));
});

test('a detection that fails ahead of its turn fails only its own frame', async () => {
  const { r, d } = await run(false, 7);
  assert.equal(r.framesAnalyzed, FRAMES - 1);
  assert.equal(d.log.filter((l) => l.startsWith('start')).length, FRAMES);
  assert.ok(!r.trackRows.some((row) => row.frame === 8), 'no tracks for the failed frame (1-based 8)');
  assert.ok(r.trackRows.some((row) => row.frame === 9));
});
