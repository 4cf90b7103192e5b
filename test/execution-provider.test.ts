// Execution providers: asking for CUDA or TensorRT where the runtime cannot use them (CI has no GPU and the CUDA
// libraries are not installed) loads the model on the CPU and says why; where they exist, the model runs on them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadOnnxModel } from '../src/vision/adapters/onnx-runtime.ts';
import { asset } from './support/assets.ts';

for (const provider of ['cuda', 'tensorrt'] as const) {
  test(`provider ${provider}: runs there when available, otherwise on the cpu with the reason`, async () => {
    const runner = await loadOnnxModel(asset('models/yolox_nano.onnx'), { threads: 1, provider });
    try {
      if (runner.providerFallback !== undefined) {
        assert.equal(runner.provider, 'cpu');
        assert.match(runner.providerFallback, new RegExp(`${provider} execution provider .*; running on cpu$`));
      } else {
        assert.equal(runner.provider, provider);
      }
      const out = await runner.run(new Float32Array(3 * 416 * 416), [1, 3, 416, 416]);
      assert.deepEqual(out.dims, [1, 3549, 85]);
    } finally {
      await runner.close();
    }
  });
}

test('provider cpu is the default and never reports a fallback', async () => {
  const runner = await loadOnnxModel(asset('models/yolox_nano.onnx'), { threads: 1 });
  assert.equal(runner.provider, 'cpu');
  assert.equal(runner.providerFallback, undefined);
  await runner.close();
});
