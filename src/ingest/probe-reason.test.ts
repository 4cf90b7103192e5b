import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeReason } from './probe-source.ts';

test('probe reasons read status codes as whole numbers, never digits of a port in the URL', () => {
  assert.equal(probeReason('cannot open rtsp://127.0.0.1:40125/nope: Server returned 404 Not Found'), 'not found');
  assert.equal(probeReason('rtsp://127.0.0.1:44011/cam: Server returned 401 Unauthorized'), 'auth failed');
  assert.equal(probeReason('http://10.0.0.2:14040/x: HTTP error 403 Forbidden'), 'auth failed');
  assert.equal(probeReason('rtsp://127.0.0.1:40125/cam: Connection refused'), 'unreachable');
});
