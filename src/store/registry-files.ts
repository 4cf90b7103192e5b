/** The model registry's files on disk: `<dataDir>/models/registry/<id>/v<N>.onnx`, written only through uploads. */
import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RegistryFiles } from '../models/model-registry.ts';
import { receiveFile } from './upload-file.ts';

export function registryFiles(root: string): RegistryFiles {
  const absolute = (relative: string) => join(root, relative);
  return {
    absolute,
    async receive(body, relative, maxBytes, declaredBytes) {
      await mkdir(dirname(absolute(relative)), { recursive: true });
      return receiveFile(body, absolute(relative), maxBytes, declaredBytes, 'model file (models.maxUploadMb)');
    },
    read: async (relative) => new Uint8Array(await readFile(absolute(relative))),
    remove: (relative) => rm(absolute(relative), { force: true }),
  };
}
