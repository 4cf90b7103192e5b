import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CameraStatus } from '../core/camera-status.ts';
import { formatMetrics } from './metrics.ts';

const camera = (id: string, state: CameraStatus['state'], over: Partial<CameraStatus> = {}): CameraStatus => ({
  id, name: id, url: 'rtsp://u:***@h/s', enabled: true, state, lastError: null, framesDecoded: 100, framesDropped: 2, restarts: 1,
  fpsMeasured: 5, width: 640, height: 360, model: 'yolox-nano', fpsProcessed: 4.9, framesProcessed: 98, activeTracks: 3,
  openEvents: 1, framesWithMotion: 40, detectorCalls: 45, framesSkipped: 53, framesReplaced: 0,
  lines: [{ id: 'door', in: 4, out: 2 }], zones: [{ id: 'yard', count: 3, labels: { person: 3 } }], eventLatency: { p50Ms: 120, p95Ms: 180, count: 10, sumMs: 1300 }, ...over,
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
  assert.match(text, /^sightline_line_crossings_total\{camera="gate",line="door",direction="in"\} 4$/m);
  assert.match(text, /^sightline_line_crossings_total\{camera="gate",line="door",direction="out"\} 2$/m);
  assert.match(text, /^sightline_zone_objects\{camera="gate",zone="yard"\} 3$/m);
  assert.match(text, /^sightline_event_latency_ms\{camera="gate",quantile="0.95"\} 180$/m);
  assert.match(text, /^sightline_event_latency_ms_count\{camera="gate"\} 10$/m);
  assert.ok(!text.includes('u:***'), 'no URL in metrics');
  assert.ok(text.endsWith('\n'));
});
