// Benchmark: the inference API's latency against the detector's own full-frame detect call (the `bench detect`
// "full frame" figure: letterbox + model + decode + NMS on an already decoded frame), same model, same picture, same
// process, same run. Picture: MOT17-09 frame 1 (1920x1080 JPEG), or --picture FILE. Per round: ITER calls of each, alternating
// (detect, HTTP, detect, HTTP, ...), after warm-up; sequential, one call in flight. Printed: p50/p95 of each, the
// ratio of the p50s (target <= 1.3), medians over rounds, and the machine.
//   node --import tsx bench/infer.ts [--model yolox-nano] [--rounds 5] [--iterations 20] [--picture FILE.jpg]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { startApp } from '../src/app.ts';
import { loadDetector } from '../src/assets/load-detector.ts';
import { modelLocation, runnerOptions } from '../src/assets/resolve-model.ts';
import { formatMachine, machineInfo } from '../src/bench/machine.ts';
import { validateConfig } from '../src/config/load.ts';
import { decodeImage } from '../src/media/render.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'yolox-nano' }, rounds: { type: 'string', default: '5' }, iterations: { type: 'string', default: '20' }, picture: { type: 'string' } } });
const ROUNDS = Number(values.rounds);
const ITER = Number(values.iterations);
const assets = process.env['SIGHTLINE_ASSETS'] ?? join(import.meta.dirname, '../../shared/assets');
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const median = (xs: number[]) => quantile(xs, 0.5);

const dataDir = mkdtempSync(join(tmpdir(), 'sightline-bench-infer-'));
const r = validateConfig({
  server: { port: 0 }, auth: { enabled: false }, dataDir, assets, models: { download: false },
  cameras: [{ id: 'idle', enabled: false, source: { url: 'rtsp://127.0.0.1:9/none' } }],
});
if (!r.ok) throw new Error(JSON.stringify(r.problems));
const app = await startApp(r.config, pino({ level: 'silent' }));
const detector = await loadDetector(values.model!, modelLocation(r.config), loadOnnxModel, runnerOptions(r.config));
const jpeg = readFileSync(values.picture ?? join(assets, 'mot/MOT17/train/MOT17-09-FRCNN/img1/000001.jpg'));
const pic = await decodeImage(jpeg);
const frame = { index: 0, timeMs: 0, width: pic.width, height: pic.height, rgb: pic.rgb };
const url = `${app.url}/api/infer/${values.model}`;
const inside: { decode: number[]; infer: number[] } = { decode: [], infer: [] };
const http = async () => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'image/jpeg' }, body: jpeg });
  if (res.status !== 200) throw new Error(`${res.status} ${await res.text()}`);
  const { timings } = ((await res.json()) as { results: { timings: { decodeMs: number; inferMs: number } }[] }).results[0]!;
  inside.decode.push(timings.decodeMs);
  inside.infer.push(timings.inferMs);
};
for (let i = 0; i < 5; i++) {
  await detector.detect(frame);
  await http();
}
console.log(formatMachine(machineInfo('cpu', runnerOptions(r.config).threads)));
const rounds: { detect: number[]; api: number[] }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const detect: number[] = [], api: number[] = [];
  for (let i = 0; i < ITER; i++) {
    let t = performance.now();
    await detector.detect(frame);
    detect.push(performance.now() - t);
    t = performance.now();
    await http();
    api.push(performance.now() - t);
  }
  rounds.push({ detect, api });
  console.log(`round ${round + 1}: detect full frame p50 ${median(detect).toFixed(1)} ms, POST /api/infer p50 ${median(api).toFixed(1)} ms, ratio ${(median(api) / median(detect)).toFixed(2)}`);
}
const m = (f: (x: { detect: number[]; api: number[] }) => number) => median(rounds.map(f));
console.log(`model ${values.model}, picture ${pic.width}x${pic.height} JPEG (${jpeg.length} bytes), ${ROUNDS} rounds x ${ITER} calls each, medians over rounds:`);
console.log(`  detect (full frame, decoded beforehand): p50 ${m((x) => median(x.detect)).toFixed(1)} ms, p95 ${m((x) => quantile(x.detect, 0.95)).toFixed(1)} ms`);
console.log(`  POST /api/infer (JPEG over HTTP):        p50 ${m((x) => median(x.api)).toFixed(1)} ms, p95 ${m((x) => quantile(x.api, 0.95)).toFixed(1)} ms`);
console.log(`  inside the API call: decode p50 ${median(inside.decode).toFixed(1)} ms, inference (scheduler, letterbox, model, decode) p50 ${median(inside.infer).toFixed(1)} ms`);
console.log(`  ratio of p50s: ${m((x) => median(x.api) / median(x.detect)).toFixed(2)} (target <= 1.3)`);
// What the API adds besides decoding the picture (which the detect baseline had done beforehand): HTTP, the scheduler,
// the answer.
console.log(`  ratio without the picture's decode: ${((m((x) => median(x.api)) - median(inside.decode)) / m((x) => median(x.detect))).toFixed(2)}`);
await detector.close();
await app.stop();
rmSync(dataDir, { recursive: true, force: true });
