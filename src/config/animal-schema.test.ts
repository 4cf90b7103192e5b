/** The animal rule's configuration: defaults, refusals with their messages, and the cross-check against the camera. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { AnimalRuleSchema, checkAnimalRule, DEFAULT_ANIMAL_MIN_SCORE } from './animal-schema.ts';

const parse = (rule: Record<string, unknown>) => AnimalRuleSchema.parse({ type: 'animal', id: 'animals', ...rule });
const problems = (rule: Record<string, unknown>) => {
  const r = AnimalRuleSchema.safeParse({ type: 'animal', id: 'animals', ...rule });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

test('defaults: the whole frame, the default table in UTC, info as the floor, and the detection that finds small animals', () => {
  assert.deepEqual(parse({}), {
    type: 'animal', id: 'animals', anchor: 'bottom-center', severity: 'info', zone: 'all', threats: [], timeZone: 'UTC',
    minScore: DEFAULT_ANIMAL_MIN_SCORE, tiling: 'auto',
  });
  assert.equal(DEFAULT_ANIMAL_MIN_SCORE, 0.15);
});

test('a threat entry as documented parses as written', () => {
  const entry = { label: 'dog', zones: ['yard'], hours: '20-6', threat: 'high' };
  assert.deepEqual(parse({ threats: [entry], timeZone: 'Europe/Paris' }).threats, [entry]);
});

describe('refused, with what was expected', () => {
  const rows: [string, Record<string, unknown>, RegExp][] = [
    ['a misspelt field', { timezone: 'UTC' }, /^: Unrecognized key: "timezone"/],
    ['a misspelt entry field', { threats: [{ label: 'dog', zone: ['yard'], threat: 'high' }] }, /^threats\.0: Unrecognized key: "zone"/],
    ['hours with minutes', { threats: [{ label: 'dog', hours: '20:30-6', threat: 'high' }] }, /^threats\.0\.hours: expected hours as START-END in whole local hours.*; got "20:30-6"$/],
    ['an empty hour window', { threats: [{ label: 'dog', hours: '6-6', threat: 'high' }] }, /^threats\.0\.hours: expected hours as .*got "6-6"$/],
    ['an entry for nothing', { threats: [{ zones: ['yard'], threat: 'high' }] }, /^threats\.0: expected a label or a species in a threat entry; got neither$/],
    ['an unknown threat level', { threats: [{ label: 'dog', threat: 'extreme' }] }, /^threats\.0\.threat: /],
    ['an unknown group', { threats: [{ species: 'reptile', threat: 'high' }] }, /^threats\.0\.species: /],
    ['a score above 1', { minScore: 1.5 }, /^minScore: expected a number between 0 and 1$/],
    ['tiling on', { tiling: 'on' }, /^tiling: /],
  ];
  for (const [name, rule, expected] of rows) {
    test(name, () => {
      const got = problems(rule);
      assert.equal(got.length, 1, got.join('\n'));
      assert.match(got[0]!, expected);
    });
  }
});

describe('checkAnimalRule', () => {
  const tracked = ['person', 'dog', 'fox'];
  test('a threat entry naming an unknown class is refused with one message saying what was expected and what arrived', () => {
    assert.deepEqual(checkAnimalRule(parse({ threats: [{ label: 'wolf', threat: 'high' }] }), tracked, { id: 'farm', zones: [] }), [{
      path: ['threats', 0, 'label'],
      message: 'rule "animals" of camera "farm": threat entry 0 names "wolf"; expected a COCO animal (bird, cat, dog, horse, sheep, cow, elephant, bear, zebra, giraffe) or a label of objects.track (person, dog, fox); fix the name or add it to objects.track',
    }]);
  });

  test('an invalid time zone is refused', () => {
    assert.deepEqual(checkAnimalRule(parse({ timeZone: 'Europe/Pariss' }), tracked), [{
      path: ['timeZone'], message: 'rule "animals": timeZone "Europe/Pariss" is not a time zone; expected an IANA name such as "Europe/Paris", "America/New_York" or "UTC"',
    }]);
  });

  test('a COCO animal keeps its group', () => {
    const issues = checkAnimalRule(parse({ threats: [{ label: 'dog', species: 'livestock', threat: 'high' }] }), tracked);
    assert.deepEqual(issues.map((i) => i.path), [['threats', 0, 'species']]);
    assert.match(issues[0]!.message, /gives "dog" the group "livestock", but it is "pet"/);
  });

  test('given the camera, an entry naming a zone it does not declare is refused', () => {
    const rule = parse({ zone: 'yard', threats: [{ label: 'dog', zones: ['yard', 'yrad'], threat: 'high' }, { label: 'cat', zones: ['all'], threat: 'low' }] });
    assert.deepEqual(checkAnimalRule(rule, tracked, { id: 'farm', zones: ['yard', 'road'] }), [{
      path: ['threats', 0, 'zones', 1],
      message: 'rule "animals" of camera "farm": threat entry 0 names zone "yrad"; expected a zone of the camera (yard, road) or "all"; add it under zones or fix the id',
    }]);
    assert.deepEqual(checkAnimalRule(rule, tracked), [], 'without the camera, zones are not checked');
  });

  test('objects that are not animals of the table are refused: the rule would never see them', () => {
    const issues = checkAnimalRule(parse({ objects: ['dog', 'person'] }), tracked);
    assert.deepEqual(issues.map((i) => i.path), [['objects', 1]]);
    assert.match(issues[0]!.message, /applies to "person", which is not an animal of its threat table/);
  });

  const clean: [string, Record<string, unknown>][] = [
    ['the defaults', {}],
    ['COCO animals and groups, in a real time zone', { objects: ['dog', 'bear'], timeZone: 'America/New_York', threats: [{ label: 'bear', threat: 'medium' }, { species: 'livestock', zones: ['road'], threat: 'high' }] }],
    ['a tracked class the table lacks, made an animal by an entry', { objects: ['fox'], threats: [{ label: 'fox', species: 'wild-small', threat: 'medium' }] }],
  ];
  for (const [name, rule] of clean) test(`accepted: ${name}`, () => assert.deepEqual(checkAnimalRule(parse(rule), tracked), []));
});

test('every field is described, so docs/config.md can say what it does', () => {
  const json = z.toJSONSchema(AnimalRuleSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { description?: string; items?: { properties: Record<string, { description?: string }> } }> };
  const undescribed = [
    ...Object.entries(json.properties).filter(([, p]) => !p.description).map(([k]) => k),
    ...Object.entries(json.properties['threats']!.items!.properties).filter(([, p]) => !p.description).map(([k]) => `threats[].${k}`),
  ];
  assert.deepEqual(undescribed, []);
});
