import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { evaluateSequences } from '../mot/eval/evaluate.ts';
import { loadBenchmark } from '../mot/eval/load.ts';
import { detectBenchmark } from '../mot/eval/preprocess.ts';
import type { SequenceInput } from '../mot/eval/preprocess.ts';
import { formatTable, toJson } from '../mot/eval/report.ts';

/** Usage of `sightline mot eval`. */
export const MOT_EVAL_USAGE = `usage: sightline mot eval --gt DIR --tracker DIR [--seqs A,B] [--json OUT] [--plain]
Scores tracker output against MOTChallenge ground truth with HOTA, CLEAR (MOTA, MOTP, ...), Identity (IDF1) and counts,
as TrackEval computes them: MOT17 rules (pedestrians only, distractors removed) for gt with classes 1..13 in
column 8, MOT15 rules (every gt row with consider != 0) for gt without classes.
  --gt       folder of sequence folders: DIR/<seq>/gt/gt.txt and DIR/<seq>/seqinfo.ini
  --tracker  folder of results, one DIR/<seq>.txt per sequence (frame,id,x,y,w,h,conf,-1,-1,-1)
  --seqs     only these sequences (default: every folder of --gt with a gt/gt.txt)
  --json     write {mode, sequences: {<seq>: {HOTA, MOTA, IDF1, ...}}, combined: {...}} to OUT (ratios as 0..1)
  --plain    keep every row (no class filter, no distractor removal); CLEAR and IDF1 as py-motmetrics computes
             them, py-motmetrics' own summary under "motmetrics" in the JSON`;

/** `sightline mot eval`: evaluates a tracker on a MOTChallenge benchmark; returns the exit code. */
export async function motEvalCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      gt: { type: 'string' }, tracker: { type: 'string' }, seqs: { type: 'string' }, json: { type: 'string' },
      plain: { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (values.help || positionals.length > 0 || !values.gt || !values.tracker) {
    console.error(MOT_EVAL_USAGE);
    return values.help ? 0 : 2;
  }
  const seqs = values.seqs?.split(',').map((s) => s.trim()).filter(Boolean);
  if (seqs !== undefined && seqs.length === 0) throw new Error(`--seqs: expected comma-separated sequence names, got "${values.seqs}"`);
  const mode = values.plain ? 'plain' : 'trackeval';

  const inputs = await loadBenchmark({ gtDir: values.gt, trackerDir: values.tracker, seqs, mode });
  const started = performance.now();
  const result = evaluateSequences(inputs, mode);
  console.log(formatTable(result));
  const rules = mode === 'plain' ? 'py-motmetrics plain' : describeRules(inputs);
  console.error(`evaluated ${inputs.length} sequences (${rules}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (values.json) {
    await writeFile(values.json, `${JSON.stringify(toJson(result), null, 2)}\n`);
    console.error(`wrote ${values.json}`);
  }
  return 0;
}

/** Which TrackEval rules the sequences were scored with, e.g. "TrackEval MOT17 rules: 4 sequences". */
function describeRules(inputs: readonly SequenceInput[]): string {
  const counts = new Map<string, number>();
  for (const i of inputs) {
    const b = i.benchmark ?? detectBenchmark(i.gt);
    counts.set(b, (counts.get(b) ?? 0) + 1);
  }
  return [...counts].map(([b, n]) => `TrackEval ${b} rules: ${n} sequence${n === 1 ? '' : 's'}`).join(', ');
}
