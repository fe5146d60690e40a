import { parentPort } from 'node:worker_threads';
import { selectTransforms } from './registry.js';
import { transformFiles } from './run-transforms.js';
import type { TransformJob } from './transform-job.js';
import type { Transform } from './transform.js';

const registries = new Map<string, Promise<readonly Transform[]>>();

/** Transforms are code, so jobs name them by id and the module of their registry; each module loads once. */
function registryAt(module: string): Promise<readonly Transform[]> {
  let loaded = registries.get(module);
  if (!loaded) {
    loaded = import(module).then((exports: { TRANSFORMS?: readonly Transform[] }) => {
      if (!exports.TRANSFORMS) throw new Error(`${module} does not export TRANSFORMS`);
      return exports.TRANSFORMS;
    });
    registries.set(module, loaded);
  }
  return loaded;
}

parentPort?.on('message', async (job: TransformJob) => {
  if (!job.registryModule) throw new Error('a worker job needs the module of its transform registry');
  const { selected } = selectTransforms(job.transformIds, await registryAt(job.registryModule));
  parentPort?.postMessage(transformFiles(job.files, { transforms: selected, options: job.options, existingPaths: new Set(job.existingPaths), recordSteps: job.recordSteps, onlyWithFindings: job.onlyWithFindings, root: job.root, facts: job.facts }));
});
