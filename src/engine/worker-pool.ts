import { Worker } from 'node:worker_threads';

/**
 * Run jobs on a fixed number of worker threads, each worker taking the next job as soon as it is free.
 * Results come back in job order. A worker that crashes fails only the job it held (reported by `onError`),
 * and is replaced so the remaining jobs still run.
 */
export async function runInWorkers<Job, Result>(
  workerUrl: URL,
  jobs: readonly Job[],
  size: number,
  onError: (job: Job, error: Error) => Result,
  onDone?: (finished: number) => void,
): Promise<Result[]> {
  const results = new Array<Result>(jobs.length);
  let next = 0;
  let finished = 0;
  const lane = async (): Promise<void> => {
    let worker = new Worker(workerUrl);
    try {
      while (next < jobs.length) {
        const index = next++;
        const job = jobs[index] as Job;
        try {
          results[index] = await ask<Job, Result>(worker, job);
        } catch (error) {
          results[index] = onError(job, error instanceof Error ? error : new Error(String(error)));
          await worker.terminate();
          worker = new Worker(workerUrl);
        }
        onDone?.(++finished);
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, jobs.length)) }, lane));
  return results;
}

function ask<Job, Result>(worker: Worker, job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onFailure);
      worker.off('exit', onExit);
    };
    const onMessage = (message: Result) => {
      cleanup();
      resolve(message);
    };
    const onFailure = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onFailure);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}
