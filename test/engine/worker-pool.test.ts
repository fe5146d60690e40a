import { describe, expect, it } from 'vitest';
import { runInWorkers } from '../../src/engine/worker-pool.js';

const worker = new URL('./workers/square-worker.mjs', import.meta.url);

describe('runInWorkers', () => {
  it('returns results in job order across workers', async () => {
    const finished: number[] = [];
    const results = await runInWorkers<number, number>(worker, [1, 2, 3, 4, 5, 6, 7], 3, () => -999, (n) => finished.push(n));
    expect(results).toEqual([1, 4, 9, 16, 25, 36, 49]);
    expect(finished).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('fails only the job whose worker crashed, replaces the worker and finishes the rest', async () => {
    const errors: string[] = [];
    const results = await runInWorkers<number, number>(worker, [2, -1, 3, 4], 1, (job, error) => {
      errors.push(`${job}: ${error.message}`);
      return Number.NaN;
    });
    expect(results).toEqual([4, Number.NaN, 9, 16]);
    expect(errors).toEqual(['-1: worker exited with code 3']);
  });
});
