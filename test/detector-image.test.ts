// The detector-size image: real ffmpeg writes each frame twice (full RGB on stdout, the model-size planar gbrp image
// on fd 3), the decoder pairs them, and the detector copies the planes instead of resampling. Checked on real clips
// with the real models: the pairs match picture for picture, and detections agree with the full-frame letterbox path.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { loadDetector } from '../src/assets/load-detector.ts';
import { iou } from '../src/core/geometry.ts';
import type { Detection, Frame } from '../src/core/types.ts';
import { collectFrames } from '../src/ingest/ffmpeg-frames.ts';
import { probeVideo } from '../src/ingest/ffprobe.ts';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import type { ObjectDetector } from '../src/vision/detector.ts';
import { asset, ASSETS } from './support/assets.ts';

const location = { modelDir: '/nonexistent', searchDirs: [`${ASSETS}/models`], download: false };
const detectors: ObjectDetector[] = [];
after(async () => {
  for (const d of detectors) await d.close();
});

async function load(id: string): Promise<ObjectDetector> {
  const d = await loadDetector(id, location, loadOnnxModel, { threads: 2 });
  detectors.push(d);
  return d;
}

/** `count` frames, one a second, at `width` wide, each with the detector image for `detector`. */
async function decode(path: string, detector: ObjectDetector, width: number, count: number): Promise<Frame[]> {
  const info = await probeVideo(path);
  const height = Math.round((width * info.height) / info.width / 2) * 2;
  const detectorImage = detector.detectorImageSpec(width, height);
  return collectFrames({ url: path, width, height, fps: 1, realtime: false, loop: false, rtspTransport: 'tcp', timeoutMs: 10_000, detectorImage }, count);
}

/**
 * Mean absolute difference of two cell-mean lists (cell by cell, channels interleaved) after each channel's mean
 * difference is taken out: the whole picture and the detector image are converted from YUV by different swscale
 * paths (fast_bilinear at the frame's size, bilinear at the model's), which differ by a constant level or two.
 */
function differenceBeyondBias(full: readonly number[], small: readonly number[]): number {
  const bias = [0, 1, 2].map((c) => {
    const d = full.filter((_, i) => i % 3 === c).map((v, k) => v - small[k * 3 + c]!);
    return d.reduce((s, v) => s + v, 0) / d.length;
  });
  return full.reduce((s, v, i) => s + Math.abs(v - small[i]! - bias[i % 3]!), 0) / full.length;
}

/** Mean of each RGB channel over a cell grid, from the packed frame and from the planar image. */
function cellMeans(frame: Frame, cells: number): { full: number[]; small: number[] } {
  const img = frame.detectorImage!;
  const full: number[] = [], small: number[] = [];
  const plane = img.width * img.height;
  const planeOfRgb = [2, 0, 1];
  const unit = img.gbr instanceof Float32Array ? 255 : 1;
  for (let cy = 0; cy < cells; cy++) {
    for (let cx = 0; cx < cells; cx++) {
      for (let c = 0; c < 3; c++) {
        let a = 0, na = 0, b = 0, nb = 0;
        for (let y = Math.floor((cy * frame.height) / cells); y < Math.floor(((cy + 1) * frame.height) / cells); y++) {
          for (let x = Math.floor((cx * frame.width) / cells); x < Math.floor(((cx + 1) * frame.width) / cells); x++, na++) a += frame.rgb![(y * frame.width + x) * 3 + c]!;
        }
        for (let y = Math.floor((cy * img.height) / cells); y < Math.floor(((cy + 1) * img.height) / cells); y++) {
          for (let x = Math.floor((cx * img.width) / cells); x < Math.floor(((cx + 1) * img.width) / cells); x++, nb++) b += img.gbr[planeOfRgb[c]! * plane + y * img.width + x]! * unit;
        }
        full.push(a / na);
        small.push(b / nb);
      }
    }
  }
  return { full, small };
}

for (const [id, size, kind] of [['yolox-nano', [416, 234], Uint8Array], ['yolo11n-int8-320', [320, 180], Float32Array]] as const) {
  test(`${id}: each decoded frame carries its own picture scaled to the model input, in gbrp plane order (${kind.name})`, async () => {
    const d = await load(id);
    const frames = await decode(asset('videos/cars-street-720p.mp4'), d, 640, 6);
    assert.equal(frames.length, 6);
    for (const f of frames) {
      assert.deepEqual([f.detectorImage?.width, f.detectorImage?.height], size);
      assert.ok(f.detectorImage!.gbr instanceof kind);
      const { full, small } = cellMeans(f, 6);
      const meanAbs = differenceBeyondBias(full, small);
      assert.ok(meanAbs < 1, `frame ${f.index}: mean cell difference ${meanAbs.toFixed(2)} levels`);
      // The neighbouring frame's picture is measurably further away: the pairing is frame for frame.
      const other = frames[(f.index + 1) % frames.length]!;
      const cross = cellMeans({ ...f, detectorImage: other.detectorImage! }, 6);
      const crossAbs = differenceBeyondBias(cross.full, cross.small);
      assert.ok(crossAbs > 2 * meanAbs, `frame ${f.index}: own ${meanAbs.toFixed(2)} vs next ${crossAbs.toFixed(2)}`);
    }
  });
}

/** Fraction of `a`'s boxes with a same-label box in `b` at IoU >= 0.6. */
function matched(a: readonly Detection[], b: readonly Detection[]): number {
  if (a.length === 0) return 1;
  return a.filter((x) => b.some((y) => y.label === x.label && iou(x.boxXyxy, y.boxXyxy) >= 0.6)).length / a.length;
}

for (const id of ['yolox-nano', 'yolo11n-int8-320']) {
  test(`${id}: detections from the detector image agree with letterboxing the whole frame (vtest)`, async () => {
    const d = await load(id);
    const frames = await decode(asset('videos/vtest.avi'), d, 768, 8);
    let fromImage = 0, fromFrame = 0, agreeA = 0, agreeB = 0;
    for (const f of frames) {
      const { detectorImage: _, ...plain } = f;
      const a = await d.detect(f, { labels: ['person'], scoreThreshold: 0.5 });
      const b = await d.detect(plain, { labels: ['person'], scoreThreshold: 0.5 });
      fromImage += a.length;
      fromFrame += b.length;
      agreeA += matched(a, b) * a.length;
      agreeB += matched(b, a) * b.length;
    }
    assert.ok(fromFrame >= 8, `only ${fromFrame} people found in 8 frames`);
    assert.ok(agreeA / fromImage >= 0.85 && agreeB / fromFrame >= 0.85, `${id}: ${agreeA}/${fromImage} and ${agreeB}/${fromFrame} matched`);
  });
}

test('the detector image alone (offline analysis that needs no whole picture) is byte for byte the one decoded beside it', async () => {
  const detector = await load('yolox-nano');
  const path = asset('videos/vtest.avi');
  const info = await probeVideo(path);
  const spec = { url: path, width: info.width, height: info.height, fps: 2, realtime: false, loop: false, rtspTransport: 'tcp' as const, timeoutMs: 10_000, detectorImage: detector.detectorImageSpec(info.width, info.height) };
  const both = await collectFrames(spec, 6);
  const only = await collectFrames({ ...spec, detectorImageOnly: true }, 6);
  assert.equal(only.length, 6);
  for (const [i, f] of only.entries()) {
    assert.equal(f.rgb, undefined, `frame ${i} has no whole picture`);
    assert.ok(both[i]!.rgb !== undefined && both[i]!.rgb!.length === info.width * info.height * 3);
    assert.deepEqual(Buffer.from(f.detectorImage!.gbr.buffer), Buffer.from(both[i]!.detectorImage!.gbr.buffer), `frame ${i}`);
  }
  // What would need the whole picture says so, naming what and which frame.
  assert.throws(() => detector.prepare({ ...only[0]!, detectorImage: undefined }), /letterboxing needs the whole picture, and frame 0 was decoded as the detector image only/);
});
