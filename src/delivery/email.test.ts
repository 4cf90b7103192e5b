import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_SCHEMA_VERSION, type SightEvent } from '../core/types.ts';
import { digestMail, escapeHtml, eventMail, isoTime, type MailVersion } from './email-content.ts';
import { decideThrottle, inWindow, type ThrottleDecision } from './throttle.ts';

const START_MS = Date.UTC(2026, 0, 2, 3, 4, 5, 678);

function event(over: Partial<SightEvent> = {}): SightEvent {
  return {
    schema: EVENT_SCHEMA_VERSION, id: 'e1', type: 'fall', severity: 'warning', cameraId: 'hall', ruleId: 'down',
    startMs: START_MS, endMs: null, endReason: null, frameIndex: 7, latencyMs: 40, lastSeenMs: START_MS,
    subjects: [{ trackId: 3, label: 'person', score: 0.912, boxXyxy: [0, 0, 10, 10], timeMs: START_MS }],
    attributes: { zoneId: 'floor', dwellSeconds: 12 }, snapshotPath: 'snap/e1.jpg', keep: false, ...over,
  };
}

function version(over: Partial<SightEvent> = {}, kind: MailVersion['kind'] = 'start'): MailVersion {
  const e = event(over);
  return { kind, event: e, links: { event: `https://cams.example/api/events/${e.id}`, snapshot: `https://cams.example/s/${e.id}.jpg?sig=a&exp=1`, clip: `https://cams.example/api/events/${e.id}/clip.mp4` } };
}

describe('e-mail content', () => {
  it('one version: subject, and both bodies name type, camera, rule, severity, ISO times, subjects, attributes and links', () => {
    const m = eventMail(version({ endMs: START_MS + 60_000, endReason: 'left' }, 'end'), '[Sightline]', null);
    assert.equal(m.subject, '[Sightline] warning: fall on hall (ended)');
    for (const body of [m.text, m.html]) {
      for (const want of ['fall', 'hall', 'down', 'warning', '2026-01-02T03:04:05.678Z', '2026-01-02T03:05:05.678Z (left)', 'person 0.91 (track 3)', 'zoneId', 'floor', 'dwellSeconds', '12', 'https://cams.example/api/events/e1/clip.mp4']) {
        assert.ok(body.includes(want), `${want} missing from ${body.slice(0, 80)}`);
      }
    }
    assert.match(m.text, /Snapshot: +https:\/\/cams.example\/s\/e1.jpg\?sig=a&exp=1\n/, "plain text keeps the URL as is");
    assert.ok(m.html.includes('href="https://cams.example/s/e1.jpg?sig=a&amp;exp=1"'), 'HTML escapes & in the href');
    assert.ok(!m.html.includes('cid:'), 'no inline image without a content id');
  });

  const kinds = [
    { name: 'start', kind: 'start', want: '(started)' },
    { name: 'update', kind: 'update', want: '(updated)' },
    { name: 'end', kind: 'end', want: '(ended)' },
    { name: 'point event', kind: 'instant', want: '(happened)' },
  ] as const;
  for (const row of kinds) {
    it(`subject of a ${row.name} version ends ${row.want}`, () => {
      assert.ok(eventMail(version({}, row.kind), '[S]', null).subject.endsWith(row.want));
    });
  }

  it('an open event says it is in progress; no subjects says none', () => {
    const m = eventMail(version({ subjects: [] }), '[S]', null);
    assert.match(m.text, /Ended: +in progress/);
    assert.match(m.text, /Subjects: +none/);
  });

  it('escapes HTML in every value from the event, and keeps CR/LF out of the subject', () => {
    const nasty = '<script>alert("x")</script>&\'';
    const m = eventMail(version({ cameraId: `cam\r\nBcc: evil@x`, ruleId: nasty, attributes: { [nasty]: nasty }, subjects: [{ trackId: 1, label: '<b>dog</b>', score: 0.5, boxXyxy: [0, 0, 1, 1], timeMs: 0 }] }), '[S]', 'snap"1@sightline');
    assert.ok(!m.html.includes('<script>') && !m.html.includes('<b>dog'), m.html);
    assert.ok(m.html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'));
    assert.ok(m.html.includes('src="cid:snap&quot;1@sightline"'));
    assert.ok(!/[\r\n]/.test(m.subject), m.subject);
    assert.ok(m.text.includes(nasty), 'the plain-text body is not escaped');
    assert.equal(escapeHtml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&#39;f');
  });

  it('inline snapshot: the HTML shows cid:ID', () => {
    assert.ok(eventMail(version(), '[S]', 'snapshot-msg_e1_1@sightline').html.includes('<img src="cid:snapshot-msg_e1_1@sightline"'));
  });

  it('a digest lists every version on one line, names the count, the highest severity and the cameras', () => {
    const vs = [
      version({ id: 'a', severity: 'info', cameraId: 'hall' }),
      version({ id: 'b', severity: 'critical', cameraId: 'yard', type: 'violence' }, 'update'),
      version({ id: 'c', cameraId: 'hall', ruleId: '<x>' }, 'end'),
    ];
    const m = digestMail(vs, '[Sightline]');
    assert.equal(m.subject, '[Sightline] digest: 3 events, highest critical, on hall, yard');
    const lines = m.text.split('\n').filter((l) => l.startsWith('- '));
    assert.equal(lines.length, 3);
    assert.ok(lines[1]!.includes('violence on yard') && lines[1]!.includes('updated') && lines[1]!.includes('https://cams.example/api/events/b'));
    assert.equal((m.html.match(/<tr>/g) ?? []).length, 4, 'a header row and one row per version');
    assert.ok(m.html.includes('>Rule<') && m.html.includes('&lt;x&gt;') && !m.html.includes('<x>'));
    assert.ok(digestMail(vs, '[S]', 'c1@s').html.includes('cid:c1@s'));
  });

  it('a digest over many cameras names three and counts the rest', () => {
    const vs = ['a', 'b', 'c', 'd', 'e'].map((c) => version({ cameraId: c }));
    assert.match(digestMail(vs, '[S]').subject, /on a, b, c \+2$/);
  });

  it('isoTime is UTC ISO 8601, and a number that is not a date stays a number', () => {
    assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(isoTime(Number.MAX_VALUE), String(Number.MAX_VALUE));
  });
});

describe('mail throttle', () => {
  const limit = { maxMails: 3, windowMs: 60_000 };
  const rows: { name: string; sentMs: number[]; batch: number; nowMs: number; want: ThrottleDecision }[] = [
    { name: 'empty window, batch fits: all individually', sentMs: [], batch: 3, nowMs: 0, want: { action: 'send', individual: 3, folded: 0 } },
    { name: 'empty window, batch too big: two individually, the rest in one digest', sentMs: [], batch: 5, nowMs: 0, want: { action: 'send', individual: 2, folded: 3 } },
    { name: 'one slot left and two versions: both in one digest', sentMs: [0, 1000], batch: 2, nowMs: 2000, want: { action: 'send', individual: 0, folded: 2 } },
    { name: 'one slot left and one version: sent individually', sentMs: [0, 1000], batch: 1, nowMs: 2000, want: { action: 'send', individual: 1, folded: 0 } },
    { name: 'window full: deferred until the oldest mail leaves it', sentMs: [5000, 1000, 3000], batch: 4, nowMs: 10_000, want: { action: 'defer', untilMs: 61_000 } },
    { name: 'mails older than the window do not count', sentMs: [0, 1000, 59_999], batch: 2, nowMs: 61_000, want: { action: 'send', individual: 2, folded: 0 } },
    { name: 'a mail exactly one window old has left it', sentMs: [0, 0, 0], batch: 1, nowMs: 60_000, want: { action: 'send', individual: 1, folded: 0 } },
    { name: 'an empty batch sends nothing', sentMs: [0, 0, 0], batch: 0, nowMs: 1, want: { action: 'send', individual: 0, folded: 0 } },
  ];
  for (const row of rows) {
    it(row.name, () => assert.deepEqual(decideThrottle(row.sentMs, limit, row.batch, row.nowMs), row.want));
  }

  it('one mail per window: a batch becomes one digest, the next is deferred', () => {
    const one = { maxMails: 1, windowMs: 600_000 };
    assert.deepEqual(decideThrottle([], one, 4, 0), { action: 'send', individual: 0, folded: 4 });
    assert.deepEqual(decideThrottle([0], one, 1, 1), { action: 'defer', untilMs: 600_000 });
  });

  it('inWindow keeps the send times younger than the window', () => {
    assert.deepEqual(inWindow([0, 10, 20], 15, 24), [10, 20]);
  });
});
