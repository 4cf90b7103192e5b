import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Frame } from '../core/types.ts';
import type { ClipScore } from '../vision/clip-classifier.ts';
import type { ViolenceRule } from '../rules/violence.ts';
import { ClipStage, type ClipClassifierPort } from './clip-stage.ts';

/** A classifier of T frames whose classify() resolves when the test says (a slow model). */
class SlowClassifier implements ClipClassifierPort {
  readonly spec = { clipFrames: 4 };
  frameCount = 0;
  calls = 0;
  private pending: ((s: ClipScore[]) => void)[] = [];
  push(): void {
    this.frameCount = Math.min(4, this.frameCount + 1);
  }
  reset(): void {
    this.frameCount = 0;
  }
  classify(): Promise<ClipScore[] | null> {
    this.calls++;
    return new Promise((resolve) => this.pending.push(resolve));
  }
  finishAll(score: number): void {
    for (const r of this.pending.splice(0)) r([{ label: 'violence', score }, { label: 'other', score: 1 - score }]);
  }
}

const frame = (i: number): Frame => ({ index: i, timeMs: i * 100, width: 2, height: 2, rgb: new Uint8Array(12) });
const gate = (open: { value: boolean }) => ({ get gateOpen() { return open.value; } }) as unknown as ViolenceRule;

describe('clip stage', () => {
  it('live: a window due while the previous one is classified is dropped, never queued; scores reach the next frame', async () => {
    const c = new SlowClassifier();
    const stage = new ClipStage(c, gate({ value: true }), { label: 'violence', strideFrames: 2, wait: false, onError: (err) => assert.fail(String(err)) });
    for (let i = 0; i < 10; i++) await stage.afterFrame(frame(i));
    assert.equal(c.calls, 1, 'one window in flight at a time');
    assert.equal(stage.stats.dropped, 3, 'windows due at frames 5, 7, 9 were dropped');
    assert.equal(stage.takeScores(), undefined);
    c.finishAll(0.8);
    await stage.drain();
    assert.deepEqual(stage.takeScores(), [{ startMs: 0, endMs: 300, score: 0.8 }]);
    assert.equal(stage.takeScores(), undefined, 'each score is handed over once');
  });

  it('offline: every window is awaited; a closed gate keeps no frames', async () => {
    const c = new SlowClassifier();
    const open = { value: false };
    const stage = new ClipStage(c, gate(open), { label: 'violence', strideFrames: 2, wait: true, onError: (err) => assert.fail(String(err)) });
    for (let i = 0; i < 5; i++) await stage.afterFrame(frame(i));
    assert.equal(stage.stats.framesPushed, 0);
    open.value = true;
    const done = (async () => {
      for (let i = 5; i < 11; i++) await stage.afterFrame(frame(i));
    })();
    for (let k = 0; k < 2; k++) {
      while (c.calls <= k) await new Promise((r) => setImmediate(r));
      c.finishAll(0.1 * (k + 1));
    }
    await done;
    assert.deepEqual(stage.stats, { windows: 2, dropped: 0, framesPushed: 6, failed: 0 });
    assert.deepEqual(stage.takeScores()!.map((w) => [w.startMs, w.endMs, w.score]), [[500, 800, 0.1], [700, 1000, 0.2]]);
  });
});
