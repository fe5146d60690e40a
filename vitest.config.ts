import { defineConfig } from 'vitest/config';
import { LongestFirstSequencer } from './test/sequencer.ts';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fixture projects may hold their own tests (tests forging session headers): they are inputs, not tests.
    exclude: ['**/node_modules/**', 'test/fixtures/**'],
    // Fails the run at once, with the command to start it, when the real Redis the tests use is down.
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests start real servers and child processes; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default on 2 cores is one worker, so the run is serial. Many of the slow files wait on child
    // processes (npm install, npx, servers, handle lifetimes, Redis timeouts) rather than compute, so four files
    // at once keep both cores busy.
    maxWorkers: 4,
    // A worker runs file after file in one process, so TypeScript, ts-morph and the SDKs are loaded once per
    // worker rather than once per file (that loading was a third of the CPU time of the smaller files). Test
    // files keep no state outside their own temp folders, and none changes the environment or the module graph.
    isolate: false,
    sequence: { sequencer: LongestFirstSequencer },
  },
});
