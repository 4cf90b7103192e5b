// Benchmark: do batch jobs starve live cameras? `bench cameras`'s trial (N real 720p15 RTSP cameras through the
// product's camera worker: motion gate, shared detector, tracker, rules; detect 5 fps at 640 px) run twice per round,
// interleaved: alone, and with a batch job beside it (`sightline analyze` of vtest.avi, every frame, over and over,
// through the same shared detector as background work, as POST /api/jobs runs it). Printed per round and as medians:
// decoded frames/s per camera (slowest camera too), missed detection (%), detector calls/s, and the job's frames/s.
//   node --import tsx bench/jobs.ts [--cameras 4] [--rounds 3] [--seconds 20] [--warmup 6]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadDetector } from '../src/assets/load-detector.ts';
import { modelLocation, runnerOptions } from '../src/assets/resolve-model.ts';
import { cameraTrial, type CameraTrial } from '../src/bench/camera-bench.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { rtspClip } from '../src/bench/rtsp-server.ts';
import { validateConfig } from '../src/config/load.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';

const { values } = parseArgs({ options: { cameras: { type: 'string', default: '4' }, rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '20' }, warmup: { type: 'string', default: '6' } } });
const CAMERAS = Number(values.cameras);
const ROUNDS = Number(values.rounds);
const assets = process.env['SIGHTLINE_ASSETS'] ?? join(import.meta.dirname, '../../shared/assets');
const r = validateConfig({ assets, dataDir: '/tmp/sightline-bench-jobs', models: { download: false } });
if (!r.ok) throw new Error(JSON.stringify(r.problems));
const runner = runnerOptions(r.config);
console.log(formatMachine(machineInfo('cpu', runner.threads)));
const sample = join(assets, 'videos/vtest.avi'); // the clip `bench cameras` uses
const [movingClip, stillClip] = [await rtspClip(sample, 15, 720), await rtspClip(sample, 15, 720, { still: true })];
const detector = await loadDetector(r.config.models.default, modelLocation(r.config), loadOnnxModel, runner);
const base = { detector, movingClip, stillClip, fps: 5, width: 640, seconds: Number(values.seconds), warmupSeconds: Number(values.warmup) };
const line = (t: CameraTrial) =>
  `${t.decodedFpsPerCamera} frames/s per camera (slowest ${t.minDecodedFps}), ${(t.droppedFraction * 100).toFixed(2)} % missed (queue ${(t.droppedAt.queue * 100).toFixed(2)}, detector ${(t.droppedAt.detector * 100).toFixed(2)}), ` +
  `${t.detectorCallsPerSecond} detector calls/s${t.jobFramesPerSecond === null ? '' : `, job ${t.jobFramesPerSecond} frames/s`}${t.sustained ? '' : ' -> NOT sustained'}`;
const alone: CameraTrial[] = [];
const withJob: CameraTrial[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  alone.push(await cameraTrial(CAMERAS, base));
  console.log(`round ${round}, ${CAMERAS} cameras alone:    ${line(alone.at(-1)!)}`);
  withJob.push(await cameraTrial(CAMERAS, { ...base, backgroundVideo: join(assets, 'videos/vtest.avi') }));
  console.log(`round ${round}, ${CAMERAS} cameras with a job: ${line(withJob.at(-1)!)}`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = (ts: CameraTrial[]) => ({
  fps: median(ts.map((t) => t.decodedFpsPerCamera)), slowest: median(ts.map((t) => t.minDecodedFps)),
  missedPct: median(ts.map((t) => t.droppedFraction * 100)), calls: median(ts.map((t) => t.detectorCallsPerSecond)),
});
const a = summary(alone), b = summary(withJob);
console.log(`medians over ${ROUNDS} rounds, ${CAMERAS} cameras at 5 fps:`);
console.log(`  alone:      ${a.fps} frames/s per camera (slowest ${a.slowest}), ${a.missedPct.toFixed(2)} % missed, ${a.calls} detector calls/s`);
console.log(`  with a job: ${b.fps} frames/s per camera (slowest ${b.slowest}), ${b.missedPct.toFixed(2)} % missed, ${b.calls} detector calls/s, job ${median(withJob.map((t) => t.jobFramesPerSecond ?? 0))} frames/s`);
console.log(`  rate kept: ${(b.fps / a.fps).toFixed(3)} x; missed detection ${a.missedPct.toFixed(2)} % -> ${b.missedPct.toFixed(2)} %`);
await detector.close();
