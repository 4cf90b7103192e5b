// Benchmark: what live view and recording cost per camera. N real 720p15 H.264 RTSP streams (GStreamer's server) run
// as the product's camera workers (5 fps, 640 px; motion gate, tracker and rules run, the detector is a stand-in that
// finds nothing, so the cost measured is the video's); the baseline runs them without the media output, the measured
// run with it (stream-copied fragmented MP4) and every camera recording continuously into 10 s segments.
// Rounds alternate; medians of CPU % of one core per camera for ffmpeg and for Node, the ratio, and the machine.
//   node --import tsx bench/recording.ts [--cameras 4] [--seconds 20] [--rounds 3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { sample, TICKS_PER_SECOND } from '../src/bench/camera-bench.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { rtspClip, startRtspServer } from '../src/bench/rtsp-server.ts';
import { loadCatalog } from '../src/assets/catalog.ts';
import { CameraSchema } from '../src/config/schema.ts';
import { liveFrameSource } from '../src/ingest/live-source.ts';
import { CameraMediaStream } from '../src/live/media-stream.ts';
import { createCameraWorker } from '../src/pipeline/camera-worker.ts';
import type { FrameDetector } from '../src/pipeline/shared-detector.ts';
import type { DetectorManifest } from '../src/vision/model-manifest.ts';
import { RecordingStore } from '../src/recording/recording-store.ts';
import { SegmentRecorder } from '../src/recording/segment-recorder.ts';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '4' }, seconds: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' } } });
const cameras = Number(values.cameras);
const seconds = Number(values.seconds);
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const log = pino({ level: 'silent' });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A detector that finds nothing: this bench measures video handling, not inference.
const noDetector: FrameDetector = {
  manifest: loadCatalog().models.find((m) => m.id === 'yolox-nano') as DetectorManifest,
  detect: async () => [],
};

const clip = await rtspClip(join(assets, 'videos/people-walking-street-720p.mp4'));
const server = await startRtspServer(Object.fromEntries(Array.from({ length: cameras }, (_, i) => [`cam${i}`, clip])));

async function trial(record: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'sightline-rec-bench-'));
  const store = new RecordingStore(dir);
  const cams = Array.from({ length: cameras }, (_, i) => {
    const camera = CameraSchema.parse({ id: `cam${i}`, source: { url: server.url(`cam${i}`), loop: false, timeoutMs: 5000, stallTimeoutMs: 10_000 }, detect: { fps: 5, width: 640 } });
    const media = record ? new CameraMediaStream() : null;
    const recorder = media ? new SegmentRecorder(camera.id, 10_000, store, log, () => undefined) : null;
    if (media && recorder) media.subscribe(recorder, Date.now());
    const source = liveFrameSource({ ...camera.source, fps: 5, width: 640, ...(media ? { media } : {}) }, { log, now: Date.now, random: Math.random });
    const worker = createCameraWorker(camera, {
      source, detector: noDetector, renderSnapshot: null, events: { write: async (w) => w.event }, publish: () => undefined, analytics: null, media,
      now: Date.now, newId: () => camera.id, log,
    });
    worker.start();
    return { worker, recorder };
  });
  await sleep(5000); // connect and settle
  const c0 = sample();
  const n0 = process.cpuUsage();
  await sleep(seconds * 1000);
  const c1 = sample();
  const n1 = process.cpuUsage(n0);
  for (const c of cams) {
    await c.worker.stop();
    await c.recorder?.stop();
  }
  const bytes = store.totalBytes();
  rmSync(dir, { recursive: true, force: true });
  const perCam = (v: number) => (v / seconds / cameras) * 100;
  return {
    ffmpeg: perCam((c1.ffmpeg - c0.ffmpeg) / TICKS_PER_SECOND),
    node: perCam((n1.user + n1.system) / 1e6),
    mbPerCameraHour: record ? (bytes / cameras / seconds) * 3600 / 1e6 : 0,
  };
}

const base: { ffmpeg: number; node: number }[] = [];
const rec: { ffmpeg: number; node: number; mbPerCameraHour: number }[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  base.push(await trial(false));
  rec.push(await trial(true));
  console.error(`round ${r + 1}: baseline ffmpeg ${base.at(-1)!.ffmpeg.toFixed(2)} % node ${base.at(-1)!.node.toFixed(2)} %; recording ffmpeg ${rec.at(-1)!.ffmpeg.toFixed(2)} % node ${rec.at(-1)!.node.toFixed(2)} %`);
}
await server.stop();
const m = (xs: { ffmpeg: number; node: number }[], k: 'ffmpeg' | 'node') => median(xs.map((x) => x[k]));
const total = (xs: { ffmpeg: number; node: number }[]) => median(xs.map((x) => x.ffmpeg + x.node));
console.log(`${cameras} cameras, 720p15 H.264 over RTSP, decode at 5 fps / 640 px, ${seconds} s x ${values.rounds} rounds (medians, % of one core per camera)`);
console.log(`baseline (decode only):            ffmpeg ${m(base, 'ffmpeg').toFixed(2)} %  node ${m(base, 'node').toFixed(2)} %  total ${total(base).toFixed(2)} %`);
console.log(`with live fMP4 + recording:        ffmpeg ${m(rec, 'ffmpeg').toFixed(2)} %  node ${m(rec, 'node').toFixed(2)} %  total ${total(rec).toFixed(2)} %`);
console.log(`cost of live view + recording:     ${(total(rec) - total(base)).toFixed(2)} % of a core per camera; ratio ${(total(rec) / total(base)).toFixed(2)}; ${median(rec.map((x) => x.mbPerCameraHour)).toFixed(0)} MB per camera-hour`);
console.log(formatMachine(machineInfo('none (no inference)', 0)));
