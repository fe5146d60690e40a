import { parentPort } from 'node:worker_threads';
import { selectTransforms } from '../../transforms/index.js';
import { transformFiles } from './run-transforms.js';
import type { TransformJob } from './transform-job.js';

// Worker entry: transforms are code, so jobs name them by id and the worker looks them up in its own registry.
parentPort?.on('message', (job: TransformJob) => {
  const { selected } = selectTransforms(job.transformIds);
  parentPort?.postMessage(transformFiles(job.files, { transforms: selected, options: job.options, existingPaths: new Set(job.existingPaths), recordSteps: job.recordSteps, onlyWithFindings: job.onlyWithFindings, root: job.root, facts: job.facts }));
});
