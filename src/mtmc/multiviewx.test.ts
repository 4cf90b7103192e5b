import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mulberry32 } from '../core/random.ts';
import { projectPoint } from '../mapping/matrix3.ts';
import { rotationFromVector, vectorFromRotation } from '../mapping/rodrigues.ts';
import { clickPairs, compareImageToPlan, depthSignOf, fitAndCompare, gridMarks, groundMapsOf, projectWorldPoint } from './calibrated-view.ts';
import { parseAnnotations, parseOpenCvXml, parseUnityFootPoints, parseViewCalibration, positionOfId, type ViewCalibration } from './multiviewx.ts';

const INTRINSIC = `<?xml version="1.0"?>
<opencv_storage>
<camera_matrix type_id="opencv-matrix">
  <rows>3</rows>
  <cols>3</cols>
  <dt>d</dt>
  <data>
    900. 0. 960. 0.
    900. 540. 0. 0. 1.</data></camera_matrix>
<distortion_coefficients type_id="opencv-matrix">
  <rows>1</rows>
  <cols>5</cols>
  <dt>d</dt>
  <data>
    -1.4835566250274720e-06 0. 0. 0. 0.</data></distortion_coefficients>
</opencv_storage>
`;

/** A camera 10 m above (0, -5), looking along +y and 45° down: world z up, right-handed, so what it sees has depth > 0. */
function camera(): ViewCalibration {
  // Rows of R: camera x = world x, camera y = down (and back), camera z = forward and down.
  const s = Math.SQRT1_2;
  const r = [1, 0, 0, 0, -s, -s, 0, s, -s];
  const centre = [0, -5, 10];
  const t = [0, 1, 2].map((i) => -(r[i * 3]! * centre[0]! + r[i * 3 + 1]! * centre[1]! + r[i * 3 + 2]! * centre[2]!)) as [number, number, number];
  // rvec of R: rotation by 135° about the x axis (cos = -s, sin = s).
  return { view: 0, cameraMatrix: [900, 0, 960, 0, 900, 540, 0, 0, 1], distortion: [0, 0, 0, 0, 0], rvec: [(3 * Math.PI) / 4, 0, 0], tvec: t };
}

describe('MultiviewX files', () => {
  test('OpenCV FileStorage XML: matrices by name, numbers across lines', () => {
    const m = parseOpenCvXml(INTRINSIC, 'intr.xml');
    assert.deepEqual(m.get('camera_matrix'), { rows: 3, cols: 3, data: [900, 0, 960, 0, 900, 540, 0, 0, 1] });
    assert.equal(m.get('distortion_coefficients')!.data[0], -1.483556625027472e-6);
  });

  for (const [name, text, message] of [
    ['not FileStorage', '{"a": 1}', /intr.xml: expected an OpenCV FileStorage XML file/],
    ['too few values', INTRINSIC.replace('900. 540. 0. 0. 1.', '900. 540.'), /matrix camera_matrix must have rows x cols finite numbers, got rows 3, cols 3 and 6 values/],
    ['not a number', INTRINSIC.replace('960.', 'abc'), /matrix camera_matrix must have rows x cols finite numbers/],
  ] as const) {
    test(`a bad file is named: ${name}`, () => assert.throws(() => parseOpenCvXml(text, 'intr.xml'), message));
  }

  test('a missing matrix names what the file holds', () => {
    assert.throws(() => parseViewCalibration(0, INTRINSIC, INTRINSIC, { intrinsic: 'i.xml', extrinsic: 'e.xml' }), /e.xml: expected a matrix rvec of 3 values, got none \(found: camera_matrix, distortion_coefficients\)/);
  });

  test('positionID to metres: x = id mod 1000, y = id div 1000, 40 cells a metre', () => {
    assert.deepEqual(positionOfId(569316), [7.9, 14.225]);
  });

  test('annotations: -1 boxes are views that do not see the person', () => {
    const text = JSON.stringify([{ personID: 3, positionID: 40040, views: [{ viewNum: 0, xmin: -1, ymin: -1, xmax: -1, ymax: -1 }, { viewNum: 1, xmin: 10, ymin: 20, xmax: 30, ymax: 90 }] }]);
    assert.deepEqual(parseAnnotations(text, 'a.json', 2), [{ personId: 3, positionM: [1, 1], boxesXyxy: [null, [10, 20, 30, 90]] }]);
    assert.throws(() => parseAnnotations(JSON.stringify([{ personID: 3, positionID: 1, views: [{ viewNum: 6 }] }]), 'a.json', 6), /a.json: entry 0 has a view that is not \{viewNum 0-5/);
    assert.throws(() => parseAnnotations('{', 'a.json', 6), /a.json: expected a JSON list of persons, got text that is not JSON/);
  });

  test('Unity foot points: the 9th point of each row, frames counted from 1', () => {
    const row2d = `1 -38444 ${Array.from({ length: 16 }, (_, i) => i).join(' ')} 1553.9 967.7`;
    const row3d = `1 -38444 ${Array.from({ length: 24 }, (_, i) => i).join(' ')} 9.23 12.18 0`;
    assert.deepEqual(parseUnityFootPoints(row2d, row3d, 'C1.txt'), [{ step: 0, unityId: -38444, imagePx: [1553.9, 967.7], worldM: [9.23, 12.18] }]);
    assert.throws(() => parseUnityFootPoints('1 2 3', row3d, 'C1.txt'), /C1.txt \(2D\) line 1: expected 20 numbers/);
  });
});

describe('calibrated view', () => {
  const area = { widthPx: 1920, heightPx: 1080, areaWidthM: 10, areaHeightM: 10 };

  test('a right-handed camera sees the area at positive depth; the same camera calibrated in a mirrored world at negative depth', () => {
    const cal = camera();
    assert.equal(depthSignOf(cal, area), 1);
    // World x mirrored (a left-handed world): the proper rotation that maps it is R' = -R diag(-1, 1, 1), t' = -t,
    // and every point comes out at the same pixel with its depth negated.
    const r = rotationFromVector(cal.rvec);
    const mirrored: ViewCalibration = {
      ...cal,
      rvec: vectorFromRotation([r[0]!, -r[1]!, -r[2]!, r[3]!, -r[4]!, -r[5]!, r[6]!, -r[7]!, -r[8]!]),
      tvec: [-cal.tvec[0], -cal.tvec[1], -cal.tvec[2]],
    };
    assert.equal(depthSignOf(mirrored, area), -1);
    assert.equal(projectWorldPoint(mirrored, [-2, 3, 0]), null, 'behind the camera by the usual convention');
    const p = projectWorldPoint(mirrored, [-2, 3, 0], -1)!, q = projectWorldPoint(cal, [2, 3, 0])!;
    assert.ok(Math.hypot(p[0] - q[0], p[1] - q[1]) < 1e-6, `${p} vs ${q}`);
    const maps = groundMapsOf(mirrored, area)!;
    assert.equal(maps.depthSign, -1);
    const viaH = projectPoint(maps.planToImage, [-2, 3])!;
    assert.ok(Math.hypot(viaH[0] - q[0], viaH[1] - q[1]) < 1e-6);
  });

  test('the calibration homography maps the ground like the full projection, both ways', () => {
    const cal = camera();
    const maps = groundMapsOf(cal, area)!;
    for (const ground of [[0, 0], [2, 3], [-3, 8]] as const) {
      const px = projectWorldPoint(cal, [ground[0], ground[1], 0])!;
      const viaH = projectPoint(maps.planToImage, ground)!;
      assert.ok(Math.hypot(px[0] - viaH[0], px[1] - viaH[1]) < 1e-6);
      const back = projectPoint(maps.imageToPlan, px)!;
      assert.ok(Math.hypot(back[0] - ground[0], back[1] - ground[1]) < 1e-9);
    }
  });

  test('clicks: spread over the image, inside the margin, seeded', () => {
    const cal = camera();
    const marks = gridMarks(cal, area, 0.5);
    const a = clickPairs(marks, 1920, 1080, mulberry32(1)), b = clickPairs(marks, 1920, 1080, mulberry32(1));
    assert.equal(a.length, 8);
    assert.deepEqual(a, b);
    for (const p of a) assert.ok(p.imagePx[0] > 30 && p.imagePx[0] < 1890 && p.imagePx[1] > 30 && p.imagePx[1] < 1050);
    let closest = Infinity;
    for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) closest = Math.min(closest, Math.hypot(a[i]!.imagePx[0] - a[j]!.imagePx[0], a[i]!.imagePx[1] - a[j]!.imagePx[1]));
    assert.ok(closest > 150, `clicks ${closest.toFixed(0)} px apart at least`);
  });

  test('noise-free clicks fit the calibration exactly; 1.5 px noise costs centimetres', () => {
    const cal = camera();
    const maps = groundMapsOf(cal, area)!;
    const exact = fitAndCompare(maps, clickPairs(gridMarks(cal, area, 0.5), 1920, 1080, mulberry32(2), { imageNoisePx: 0 }), area);
    assert.ok(exact.difference!.maxM < 1e-6, JSON.stringify(exact.difference));
    const noisy = fitAndCompare(maps, clickPairs(gridMarks(cal, area, 0.5), 1920, 1080, mulberry32(2)), area);
    assert.ok(noisy.difference!.meanM > 1e-4 && noisy.difference!.meanM < 0.1, JSON.stringify(noisy.difference));
  });

  test('a map compared with itself differs by 0', () => {
    const maps = groundMapsOf(camera(), area)!;
    const d = compareImageToPlan(maps.imageToPlan, maps.imageToPlan, area);
    assert.ok(d.points > 100);
    assert.equal(d.maxM, 0);
  });
});
