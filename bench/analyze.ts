// Benchmark: `sightline analyze` end to end against the bare model call, as a performance-minded user would compare
// them. Each side runs in a fresh process (`bench/analyze-side.ts`), the sides in a different order each round, every
// model warmed up first:
//   - bare: onnxruntime's `session.run` on the clip's prepared frames, with onnxruntime's own defaults (spinning
//     threads) and with spinning off (the product's default, `models.spinning`);
//   - analyze: the product's pipeline over the whole clip (probe, ffmpeg decode, detector, tracker, rules, events),
//     with the product's defaults, then with each throughput lever off in turn (spinning threads, reading a frame ahead,
//     decoding the detector image alone), then with all three off (analyze as it was before them).
// Clips: vtest.avi (768x576, every frame) and the same picture scaled to 1920x1080 H.264 (made here with ffmpeg, no
// 1080p clip being among the assets). Reported per clip: medians of frames/s and of CPU per frame (the process and its
// children, i.e. ffmpeg), and the paired per-round ratio analyze / bare (onnxruntime defaults) as its median with the
// lowest and highest round.
//   node --import tsx bench/analyze.ts [--rounds 5] [--model yolox-nano] [--frames-1080p 300] [--json OUT]
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    model: { type: 'string', default: 'yolox-nano' },
    'frames-1080p': { type: 'string', default: '300' },
    json: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const assets = resolve(process.env['SIGHTLINE_ASSETS'] ?? '../shared/assets');
const run = promisify(execFile);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

const dir = mkdtempSync(join(tmpdir(), 'sightline-bench-analyze-'));
const vtest = join(assets, 'videos/vtest.avi');
const hd = join(dir, 'vtest-1080p.mp4');
process.stderr.write('making the 1080p clip ...\n');
await run('ffmpeg', ['-v', 'error', '-i', vtest, '-frames:v', values['frames-1080p'], '-vf', 'scale=1920:1080', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-pix_fmt', 'yuv420p', hd]);
const CLIPS = [
  { name: 'vtest.avi (768x576, MPEG-4)', path: vtest },
  { name: 'vtest 1080p (H.264)', path: hd },
];

interface Side {
  readonly name: string;
  readonly args: readonly string[];
}
const SIDES: readonly Side[] = [
  { name: 'bare, onnxruntime defaults (spinning)', args: ['bare', '--spinning'] },
  { name: 'bare, spinning off', args: ['bare'] },
  { name: 'analyze, product defaults (spinning off)', args: ['analyze'] },
  // Each lever off in turn (the others on), and all off: what `analyze` was before them.
  { name: 'analyze, spinning on', args: ['analyze', '--spinning'] },
  { name: 'analyze, no read-ahead', args: ['analyze', '--no-read-ahead'] },
  { name: 'analyze, whole picture decoded', args: ['analyze', '--whole-picture'] },
  { name: 'analyze, all three levers off (before)', args: ['analyze', '--spinning', '--no-read-ahead', '--whole-picture'] },
];
const BASELINE = SIDES[0]!.name;
const PRODUCT = SIDES[2]!.name;

interface Measurement {
  readonly frames: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}
async function measure(side: Side, clip: string): Promise<Measurement> {
  const [mode, ...flags] = side.args;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'analyze-side.ts'), mode!, clip, '--model', values.model, ...flags], {
    env: { ...process.env, SIGHTLINE_ASSETS: assets },
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measurement;
}

const results = new Map<string, Map<string, Measurement[]>>();
for (let r = 0; r < rounds; r++) {
  for (const clip of CLIPS) {
    // A different order each round: no side always runs first, or always right after the same one.
    const order = SIDES.map((_, i) => SIDES[(i + r) % SIDES.length]!);
    if (r % 2 === 1) order.reverse();
    for (const side of order) {
      const m = await measure(side, clip.path);
      const byClip = results.get(clip.name) ?? new Map<string, Measurement[]>();
      results.set(clip.name, byClip);
      byClip.set(side.name, [...(byClip.get(side.name) ?? []), m]);
      process.stderr.write(`round ${r + 1}/${rounds}, ${clip.name}, ${side.name}: ${((m.frames * 1000) / m.wallMs).toFixed(1)} frames/s, ${(m.cpuMs / m.frames).toFixed(1)} ms CPU/frame\n`);
    }
  }
}

const report: Record<string, unknown>[] = [];
console.log(`analyze vs bare inference, ${values.model}, ${rounds} rounds, medians (ratio: paired per round, median [lowest, highest])`);
for (const clip of CLIPS) {
  const byClip = results.get(clip.name)!;
  const base = byClip.get(BASELINE)!;
  console.log(`\n${clip.name}, ${base[0]!.frames} frames`);
  console.log(`${'side'.padEnd(44)} | frames/s | CPU ms/frame | ratio to bare (onnxruntime defaults)`);
  for (const side of SIDES) {
    const ms = byClip.get(side.name)!;
    const fps = ms.map((m) => (m.frames * 1000) / m.wallMs);
    const cpu = ms.map((m) => m.cpuMs / m.frames);
    const ratios = ms.map((m, i) => (m.frames / m.wallMs) / (base[i]!.frames / base[i]!.wallMs));
    const ratio = side.name === BASELINE ? '' : `${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}, ${Math.max(...ratios).toFixed(3)}]`;
    console.log(`${side.name.padEnd(44)} | ${median(fps).toFixed(1).padStart(8)} | ${median(cpu).toFixed(1).padStart(12)} | ${ratio}`);
    report.push({ clip: clip.name, side: side.name, fps: median(fps), cpuMsPerFrame: median(cpu), ratioToBare: side.name === BASELINE ? 1 : median(ratios), ratioLow: Math.min(...ratios), ratioHigh: Math.max(...ratios) });
  }
  const productCpu = median(byClip.get(PRODUCT)!.map((m) => m.cpuMs / m.frames));
  const bareCpu = median(base.map((m) => m.cpuMs / m.frames));
  console.log(`CPU per frame, analyze (product defaults) minus bare (onnxruntime defaults): ${(productCpu - bareCpu).toFixed(1)} ms`);
}
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version}`;
console.log(`\nmachine: ${machine}`);
if (values.json !== undefined) await writeFile(values.json, JSON.stringify({ benchmark: 'analyze', model: values.model, rounds, machine, report }, null, 2));
