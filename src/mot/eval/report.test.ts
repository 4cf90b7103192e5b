import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateSequences } from './evaluate.ts';
import { ALPHAS } from './hota.ts';
import { parseMotFile } from './parse.ts';
import { detailedRecord, formatTable, numpyMean, SUMMARY_FIELDS, toJson } from './report.ts';

test('ALPHAS are numpy.arange(0.05, 0.99, 0.05) to the last bit', () => {
  assert.deepEqual(ALPHAS, [
    0.05, 0.1, 0.15000000000000002, 0.2, 0.25, 0.3, 0.35000000000000003, 0.4, 0.45, 0.5, 0.55, 0.6000000000000001,
    0.6500000000000001, 0.7000000000000001, 0.7500000000000001, 0.8, 0.8500000000000001, 0.9000000000000001, 0.9500000000000001,
  ]);
});

test('numpyMean sums in numpy pairwise order (np.mean printed 33.664632209303605; a plain sum gives ...36)', () => {
  const values = [
    36.7123831427088, 77.58376499599652, 0.3747030205016403, 0.0006637578048439807, 7.784426150001458, 0.08399515404794744,
    0.0004896935204622583, 0.04693201411030239, 7.0338208860383595, 0.5931837303800576, 0.006471561653193026,
    0.0005022385584334831, 7.705231398308006, 9.200864349327219, 2.3217612806301458, 343.8258912598147, 0.5777948078012031,
    90.97550158894022, 54.79963094662489,
  ];
  assert.equal(numpyMean(values), 33.664632209303605);
  assert.equal(numpyMean([1, 2, 4]), 7 / 3);
});

const toy = evaluateSequences(
  [{ name: 'toy', seqLength: 2, gt: parseMotFile('1,1,0,0,10,10,1,1,1\n2,1,0,0,10,10,1,1,1', 'gt.txt'), tracker: parseMotFile('1,5,0,0,10,10,1,-1,-1,-1', 'trk.txt') }],
  'trackeval',
);

test('the JSON has every summary field per sequence and combined, plus HOTA per alpha', () => {
  const json = toJson(toy) as { mode: string; sequences: Record<string, Record<string, unknown>>; combined: Record<string, unknown> };
  assert.equal(json.mode, 'trackeval');
  for (const entry of [json.sequences['toy']!, json.combined]) {
    for (const f of SUMMARY_FIELDS) assert.equal(typeof entry[f], 'number', f);
    assert.equal(entry['CLR_FN'], 1);
    assert.equal(entry['MOTA'], 0.5);
    const alpha = entry['alpha'] as Record<string, number[]>;
    assert.equal(alpha['alpha']!.length, 19);
    assert.equal(alpha['HOTA']!.length, 19);
  }
});

test('detailed rows use TrackEval CSV names', () => {
  const row = detailedRecord(toy.combined);
  for (const k of ['HOTA___5', 'HOTA___95', 'HOTA___AUC', 'HOTA_TP___50', 'LocA___AUC', 'HOTA(0)', 'MOTP_sum', 'CLR_Frames', 'IDF1', 'GT_IDs']) {
    assert.equal(typeof row[k], 'number', k);
  }
  assert.equal(row['HOTA'], undefined);
  assert.equal(row['HOTA_TP___50'], 1);
});

test('the table has a row per sequence and COMBINED, percent with 3 decimals', () => {
  const lines = formatTable(toy).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^sequence +HOTA +DetA +AssA +LocA +MOTA +MOTP +IDF1 +IDP +IDR +IDSW +FP +FN +Frag +MT +PT +ML +IDs +GT_IDs$/);
  assert.match(lines[1]!, /^toy +50\.000 +50\.000 +50\.000 +100\.000 +50\.000 +100\.000 +66\.667 +100\.000 +50\.000 +0 +0 +1 +0 +0 +1 +0 +1 +1$/);
  assert.match(lines[2]!, /^COMBINED +50\.000 /);
});
