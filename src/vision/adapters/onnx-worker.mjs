// The only file that imports onnxruntime-node. It runs in a worker thread, one per loaded model, because the
// runtime's `session.run` is synchronous on the calling thread: on the main thread it would stop ingest, motion and
// HTTP for the whole inference. Plain JavaScript so the worker starts without a TypeScript loader.
//
// workerData: { bytes (the model file), threads, provider, spinning }. Messages out: { type: 'ready', inputDims, outputDims, provider,
// providerFallback? } or { type: 'failed', message }, then { id, data, dims } or { id, error } per run.
// Messages in: { id, data: Float32Array, dims } to run, { type: 'close' } to release the session and exit.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

const message = (err) => (err instanceof Error ? err.message : String(err));

/** Why `provider` cannot be used by this install, or null when it may work. */
function providerMissing(provider) {
  const backend = ort.listSupportedBackends().find((b) => b.name === provider);
  if (!backend) return `this onnxruntime-node build has no ${provider} execution provider`;
  if (backend.bundled) return null;
  const packageDir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..');
  const lib = join(packageDir, 'bin', 'napi-v6', process.platform, process.arch, `libonnxruntime_providers_${provider}.so`);
  // npm skips the package's install script (package.json allowScripts, ONNXRUNTIME_NODE_INSTALL=skip in setup.sh).
  const install = `ONNXRUNTIME_NODE_INSTALL=1 node ${join(packageDir, 'script', 'install.js')}`;
  return existsSync(lib) ? null : `the ${provider} execution provider library is not installed (${lib} is missing; on a machine with a GPU and internet access, run ${install})`;
}

async function load({ bytes, threads, provider: wanted, spinning }) {
  const create = (providers) =>
    ort.InferenceSession.create(bytes, {
      executionProviders: providers,
      graphOptimizationLevel: 'all',
      ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
      // Spinning threads wait for work in a busy loop: on a small machine they take the cores ffmpeg and the pipeline
      // need between calls. Off unless asked for (`models.spinning`).
      ...(spinning ? {} : { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }),
    });
  let provider = 'cpu';
  let providerFallback;
  let session;
  const missing = wanted === 'cpu' ? null : providerMissing(wanted);
  if (missing !== null) providerFallback = missing;
  if (wanted !== 'cpu' && missing === null) {
    try {
      session = await create([wanted, 'cpu']);
      provider = wanted;
    } catch (err) {
      providerFallback = `the ${wanted} execution provider failed to start (${message(err).split('\n')[0]})`;
      session = await create(['cpu']);
    }
  } else {
    session = await create(['cpu']);
  }
  return { session, provider, providerFallback };
}

const dimsOf = (m) => (m && m.isTensor ? m.shape.map((d) => (typeof d === 'number' ? d : String(d))) : []);

let loaded;
try {
  loaded = await load(workerData);
} catch (err) {
  parentPort.postMessage({ type: 'failed', message: message(err) });
}
if (loaded) {
  const { session, provider, providerFallback } = loaded;
  const inputName = session.inputNames[0];
  const outputName = session.outputNames[0];
  parentPort.postMessage({
    type: 'ready',
    provider,
    providerFallback,
    inputDims: dimsOf(session.inputMetadata[0]),
    outputDims: dimsOf(session.outputMetadata[0]),
  });
  let local;
  parentPort.on('message', async (msg) => {
    if (msg.type === 'close') {
      await session.release();
      parentPort.close();
      return;
    }
    try {
      // The runtime refuses shared memory: shared inputs are copied here, on this thread, into a reused buffer.
      let input = msg.data;
      if (input.buffer instanceof SharedArrayBuffer) {
        if (local?.length !== input.length) local = new Float32Array(input.length);
        local.set(input);
        input = local;
      }
      const result = await session.run({ [inputName]: new ort.Tensor('float32', input, msg.dims) });
      const t = result[outputName];
      // A copy into a plain buffer that can be handed over without a second copy.
      const data = new Float32Array(t.data);
      parentPort.postMessage({ id: msg.id, data, dims: t.dims }, [data.buffer]);
    } catch (err) {
      parentPort.postMessage({ id: msg.id, error: message(err) });
    }
  });
}
