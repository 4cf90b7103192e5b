import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CameraStatus } from '../pipeline/camera-pipeline.ts';
import { formatMetrics } from './metrics.ts';

const camera = (id: string, state: CameraStatus['state'], over: Partial<CameraStatus> = {}): CameraStatus => ({
  id, name: id, url: 'rtsp://u:***@h/s', enabled: true, state, lastError: null, framesDecoded: 100, framesDropped: 2, restarts: 1,
  fpsMeasured: 5, width: 640, height: 360, model: 'yolox-nano', fpsProcessed: 4.9, framesProcessed: 98, activeTracks: 3,
  openEvents: 1, framesWithMotion: 40, detectorCalls: 45, framesSkipped: 53, ...over,
});

test('formatMetrics writes one series per camera and metric, and the state as a one-hot gauge', () => {
  const text = formatMetrics([camera('gate', 'online'), camera('back"yard', 'backoff', { framesDecoded: 7 })]);
  assert.match(text, /^# TYPE sightline_camera_up gauge$/m);
  assert.match(text, /^sightline_camera_up\{camera="gate"\} 1$/m);
  assert.match(text, /^sightline_camera_up\{camera="back\\"yard"\} 0$/m);
  assert.match(text, /^sightline_camera_frames_decoded_total\{camera="back\\"yard"\} 7$/m);
  assert.match(text, /^sightline_camera_detector_calls_total\{camera="gate"\} 45$/m);
  assert.match(text, /^sightline_camera_state\{camera="gate",state="online"\} 1$/m);
  assert.match(text, /^sightline_camera_state\{camera="gate",state="backoff"\} 0$/m);
  assert.match(text, /^sightline_camera_state\{camera="back\\"yard",state="backoff"\} 1$/m);
  assert.ok(!text.includes('u:***'), 'no URL in metrics');
  assert.ok(text.endsWith('\n'));
});
