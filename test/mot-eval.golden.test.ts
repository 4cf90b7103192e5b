// MOT evaluation against the reference numbers: TrackEval's detailed CSV for a real tracker on MOT17, and
// py-motmetrics' own TUD fixtures and expected values; then `sightline mot eval` end to end on the same data.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import { MOT_EVAL_USAGE, motEvalCommand } from '../src/cli/mot-eval-command.ts';
import { isAppError } from '../src/core/errors.ts';
import { evaluateSequences } from '../src/mot/eval/evaluate.ts';
import type { EvaluationResult } from '../src/mot/eval/evaluate.ts';
import { ALPHAS } from '../src/mot/eval/hota.ts';
import { parseMotFile } from '../src/mot/eval/parse.ts';
import type { SequenceInput } from '../src/mot/eval/preprocess.ts';
import { detailedRecord, SUMMARY_FIELDS, summaryRecord } from '../src/mot/eval/report.ts';
import { parseSeqInfo } from '../src/mot/seqinfo.ts';
import { asset } from './support/assets.ts';

const MOT17_SEQS = ['MOT17-02-FRCNN', 'MOT17-04-FRCNN', 'MOT17-05-FRCNN', 'MOT17-09-FRCNN'];
const TRACKER = 'mot/MOT17/trackers/pedes-20221127';
/** The tracker wrote one file per sequence (MOT17-02.txt), shared by the DPM/FRCNN/SDP variants. */
const trackerFile = (seq: string) => asset(`${TRACKER}/data/${seq.slice(0, 'MOT17-02'.length)}.txt`);

function mot17Input(seq: string): SequenceInput {
  const dir = asset(`mot/MOT17/train/${seq}`);
  return {
    name: seq,
    gt: parseMotFile(readFileSync(join(dir, 'gt/gt.txt'), 'utf8'), `${seq}/gt/gt.txt`, 8),
    tracker: parseMotFile(readFileSync(trackerFile(seq), 'utf8'), `${seq}.txt`),
    seqLength: parseSeqInfo(readFileSync(join(dir, 'seqinfo.ini'), 'utf8'), `${seq}/seqinfo.ini`).seqLength,
  };
}

function tudInputs(): SequenceInput[] {
  return ['TUD-Campus', 'TUD-Stadtmitte'].map((name) => ({
    name,
    gt: parseMotFile(readFileSync(asset(`mot/py-motmetrics/${name}/gt.txt`), 'utf8'), `${name}/gt.txt`),
    tracker: parseMotFile(readFileSync(asset(`mot/py-motmetrics/${name}/test.txt`), 'utf8'), `${name}/test.txt`),
    seqLength: null,
  }));
}

/** TrackEval's pedestrian_detailed.csv as {seq: {field: value}}. */
function readDetailedCsv(): Map<string, Record<string, number>> {
  const [header, ...rows] = readFileSync(asset(`${TRACKER}/trackeval_pedestrian_detailed.csv`), 'utf8').trim().split('\n').map((l) => l.split(','));
  return new Map(rows.map((r) => [r[0]!, Object.fromEntries(header!.slice(1).map((f, i) => [f, Number(r[i + 1])]))]));
}

let mot17: EvaluationResult | undefined;
const evaluateMot17 = (): EvaluationResult => (mot17 ??= evaluateSequences(MOT17_SEQS.map(mot17Input), 'trackeval'));

test('MOT17: every field of TrackEval\'s detailed CSV matches to 1e-6 for MOT17-02/04/05/09', () => {
  const golden = readDetailedCsv();
  const started = performance.now();
  const result = evaluateMot17();
  const seconds = (performance.now() - started) / 1000;
  let compared = 0;
  let worst = { diff: 0, where: '' };
  for (const { name, result: r } of result.sequences) {
    const want = golden.get(name);
    assert.ok(want, `CSV row ${name}`);
    const got = detailedRecord(r);
    for (const [field, value] of Object.entries(want)) {
      assert.equal(typeof got[field], 'number', `${name} ${field} is computed`);
      const diff = Math.abs(got[field]! - value);
      assert.ok(diff <= 1e-6, `${name} ${field}: TrackEval ${value}, ours ${got[field]}`);
      if (diff > worst.diff) worst = { diff, where: `${name} ${field}` };
      compared++;
    }
  }
  assert.equal(compared, 4 * 275);
  assert.ok(seconds < 10, `evaluation took ${seconds.toFixed(1)} s`);
  console.log(`compared ${compared} fields, worst |diff| ${worst.diff.toExponential(2)} (${worst.where}), evaluated in ${seconds.toFixed(2)} s`);
});

test('MOT17: combined counts are the sums of the sequences', () => {
  const result = evaluateMot17();
  const combined = summaryRecord(result.combined);
  const rows = result.sequences.map((s) => summaryRecord(s.result));
  for (const f of ['CLR_TP', 'CLR_FN', 'CLR_FP', 'IDSW', 'MT', 'PT', 'ML', 'Frag', 'CLR_Frames', 'IDTP', 'IDFN', 'IDFP', 'Dets', 'GT_Dets', 'IDs', 'GT_IDs'] as const) {
    assert.equal(combined[f], rows.reduce((acc, r) => acc + r[f], 0), f);
  }
  ALPHAS.forEach((_, a) => assert.equal(result.combined.hota.HOTA_TP[a], result.sequences.reduce((acc, s) => acc + s.result.hota.HOTA_TP[a]!, 0)));
  assert.ok(combined.HOTA > Math.min(...rows.map((r) => r.HOTA)) && combined.HOTA < Math.max(...rows.map((r) => r.HOTA)));
});

test('TUD (plain): HOTA, DetA and AssA match the TrackEval values in py-motmetrics\' test_hota to 1e-6', () => {
  const golden: Record<string, [number, number, number]> = {
    'TUD-Campus': [0.3913974378451139, 0.418047030142763, 0.36912068120832836],
    'TUD-Stadtmitte': [0.3978490169927877, 0.3922675723693166, 0.4088407518112996],
  };
  for (const { name, result } of evaluateSequences(tudInputs(), 'plain').sequences) {
    const s = summaryRecord(result);
    const [hota, detA, assA] = golden[name]!;
    assert.ok(Math.abs(s.HOTA - hota) <= 1e-6, `${name} HOTA ${s.HOTA}`);
    assert.ok(Math.abs(s.DetA - detA) <= 1e-6, `${name} DetA ${s.DetA}`);
    assert.ok(Math.abs(s.AssA - assA) <= 1e-6, `${name} AssA ${s.AssA}`);
  }
});

/** py-motmetrics' test_motchallenge_files table (printed with 6 decimals); MOTP is its distance, 1 - IoU. */
const MOTMETRICS_TABLE = [
  { seq: 'TUD-Campus', idf1: 0.557659, idp: 0.72973, idr: 0.451253, recall: 0.582173, precision: 0.941441, num_unique_objects: 8, mostly_tracked: 1, partially_tracked: 6, mostly_lost: 1, num_false_positives: 13, num_misses: 150, num_switches: 7, num_fragmentations: 7, mota: 0.526462, motp: 0.277201 },
  { seq: 'TUD-Stadtmitte', idf1: 0.644619, idp: 0.81976, idr: 0.531142, recall: 0.608997, precision: 0.93992, num_unique_objects: 10, mostly_tracked: 5, partially_tracked: 4, mostly_lost: 1, num_false_positives: 45, num_misses: 452, num_switches: 7, num_fragmentations: 6, mota: 0.564014, motp: 0.345904 },
  { seq: 'OVERALL', idf1: 0.624296, idp: 0.799176, idr: 0.512211, recall: 0.60264, precision: 0.940268, num_unique_objects: 18, mostly_tracked: 6, partially_tracked: 10, mostly_lost: 2, num_false_positives: 58, num_misses: 602, num_switches: 14, num_fragmentations: 13, mota: 0.555116, motp: 0.330177 },
];

test('TUD (plain): py-motmetrics\' table matches (ratios to their 6 printed decimals, counts exactly)', () => {
  const result = evaluateSequences(tudInputs(), 'plain');
  const bySeq = new Map([...result.sequences.map((s) => [s.name, s.result] as const), ['OVERALL', result.combined]]);
  for (const { seq, ...want } of MOTMETRICS_TABLE) {
    const got = bySeq.get(seq)?.motmetrics;
    assert.ok(got, seq);
    for (const [field, value] of Object.entries(want)) {
      const ours: number = got[field as keyof typeof got];
      if (Number.isInteger(value)) assert.equal(ours, value, `${seq} ${field}`);
      else assert.ok(Math.abs(ours - value) <= 5e-7 + 1e-12, `${seq} ${field}: py-motmetrics ${value}, ours ${ours}`);
    }
    // The same events in TrackEval's field names: MOTP as mean IoU, IDSW as py-motmetrics counts switches.
    const s = summaryRecord(bySeq.get(seq)!);
    assert.ok(Math.abs(s.MOTP - (1 - want.motp)) <= 1e-6, `${seq} MOTP`);
    assert.equal(s.IDSW, want.num_switches);
    assert.ok(Math.abs(s.MOTA - want.mota) <= 5e-7 + 1e-12, `${seq} MOTA`);
    assert.ok(Math.abs(s.IDF1 - want.idf1) <= 5e-7 + 1e-12, `${seq} IDF1`);
  }
});

/** A tracker folder in TrackEval's layout (`<seq>.txt` per gt sequence), linking to the asset files. */
const tempDirs: string[] = [];
after(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function trackerDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'eval-helper-'));
  tempDirs.push(dir);
  for (const [seq, target] of Object.entries(files)) symlinkSync(target, join(dir, `${seq}.txt`));
  return dir;
}

/** Runs the command with console output captured. */
async function runCli(t: TestContext, args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  t.mock.method(console, 'log', (...a: unknown[]) => void (out += `${a.join(' ')}\n`));
  t.mock.method(console, 'error', (...a: unknown[]) => void (err += `${a.join(' ')}\n`));
  const code = await motEvalCommand(args);
  return { code, out, err };
}

test('sightline mot eval on MOT17 prints the table and writes JSON with TrackEval field names', async (t) => {
  const trk = trackerDir(Object.fromEntries(MOT17_SEQS.map((s) => [s, trackerFile(s)])));
  const json = join(trk, 'out.json');
  const { code, out, err } = await runCli(t, ['--gt', asset('mot/MOT17/train'), '--tracker', trk, '--seqs', MOT17_SEQS.join(','), '--json', json]);
  assert.equal(code, 0);
  const lines = out.trim().split('\n');
  assert.equal(lines.length, 6);
  assert.match(lines[0]!, /^sequence +HOTA +DetA +AssA +LocA +MOTA +MOTP +IDF1 +IDP +IDR +IDSW +FP +FN +Frag +MT +PT +ML +IDs +GT_IDs$/);
  assert.match(lines[1]!, /^MOT17-02-FRCNN +52\.538 +70\.161 +39\.743 +87\.596 +81\.072 +86\.074 +55\.124 +58\.268 +52\.301 +168 +723 +2626 +156 +42 +14 +6 +149 +62$/);
  assert.match(lines[5]!, /^COMBINED +\d+\.\d{3} /);
  assert.match(err, /evaluated 4 sequences \(TrackEval MOT17 rules: 4 sequences\)/);

  const doc = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(doc.mode, 'trackeval');
  assert.deepEqual(Object.keys(doc.sequences), MOT17_SEQS);
  const golden = readDetailedCsv();
  for (const [name, entry] of [...Object.entries(doc.sequences), ['COMBINED', doc.combined]] as [string, Record<string, unknown>][]) {
    for (const f of SUMMARY_FIELDS) {
      assert.equal(typeof entry[f], 'number', `${name} ${f}`);
      const v = entry[f] as number;
      if (['CLR_TP', 'CLR_FN', 'CLR_FP', 'IDSW', 'MT', 'PT', 'ML', 'Frag', 'IDTP', 'IDFN', 'IDFP', 'Dets', 'GT_Dets', 'IDs', 'GT_IDs'].includes(f)) assert.ok(Number.isInteger(v), `${name} ${f} is a count`);
      if (['HOTA', 'DetA', 'AssA', 'LocA', 'MOTP', 'IDF1', 'IDP', 'IDR', 'MTR', 'PTR', 'MLR', 'CLR_Re', 'CLR_Pr'].includes(f)) assert.ok(v >= 0 && v <= 1, `${name} ${f} is a fraction`);
    }
    if (name !== 'COMBINED') {
      assert.ok(Math.abs((entry['HOTA'] as number) - golden.get(name)!['HOTA___AUC']!) <= 1e-6);
      assert.equal(entry['IDSW'], golden.get(name)!['IDSW']);
    }
  }
});

test('sightline mot eval --plain on MOT15 TUD-Campus reports py-motmetrics\' numbers', async (t) => {
  const trk = trackerDir({ 'TUD-Campus': asset('mot/py-motmetrics/TUD-Campus/test.txt') });
  const json = join(trk, 'out.json');
  const { code } = await runCli(t, ['--gt', asset('mot/MOT15/train'), '--tracker', trk, '--seqs', 'TUD-Campus', '--plain', '--json', json]);
  assert.equal(code, 0);
  const doc = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(doc.mode, 'plain');
  const mm = doc.sequences['TUD-Campus'].motmetrics;
  assert.ok(Math.abs(mm.idf1 - 0.557659) <= 5e-7 && mm.num_switches === 7 && mm.num_fragmentations === 7);
  assert.ok(Math.abs(doc.sequences['TUD-Campus'].HOTA - 0.3913974378451139) <= 1e-6);
});

test('sightline mot eval: a missing tracker file names the path; missing options print the usage', async (t) => {
  const trk = trackerDir({});
  await assert.rejects(runCli(t, ['--gt', asset('mot/MOT17/train'), '--tracker', trk, '--seqs', 'MOT17-09-FRCNN']), (err: unknown) => {
    assert.ok(isAppError(err, 'MOT_FILE_INVALID'));
    assert.match(err.message, new RegExp(`^${join(trk, 'MOT17-09-FRCNN.txt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} does not exist: expected the tracker results of sequence MOT17-09-FRCNN`));
    return true;
  });
  const { code, err } = await runCli(t, ['--gt', asset('mot/MOT17/train')]);
  assert.equal(code, 2);
  assert.ok(err.includes(MOT_EVAL_USAGE));
});
