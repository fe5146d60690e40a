import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The slowest files, longest first (npm installs of generated projects, the batch harness, servers started by the
 * dozen, a 2,000-file migration, the packed tarball, the conformance suite and other Node versions fetched through
 * npx). Started last, one of them alone decides when the run ends; started first, the short files fill the other
 * workers around them. Vitest orders by recorded durations only once a run has cached them, and a fresh clone
 * (CI, `npm ci`, which also empties node_modules where that cache lives) has none.
 */
const LONGEST_FIRST = [
  'test/scaffold/scaffold.e2e.test.ts',
  'test/batch/harness.test.ts',
  'test/verify/migrated-fixtures.e2e.test.ts',
  'test/faults/kill-during-write.test.ts',
  'test/scaffold/conformance.e2e.test.ts',
  'test/handles/session.e2e.test.ts',
  'test/cli/pack.e2e.test.ts',
  'test/verify/cli.e2e.test.ts',
  'test/fleet/fleet.test.ts',
  'test/verify/good-servers.e2e.test.ts',
  'test/scope/scope.e2e.test.ts',
  'test/faults/redis-outage.test.ts',
  'test/cli/node-versions.e2e.test.ts',
  'test/cli/cli.test.ts',
  'test/cli/conventions.test.ts',
  'test/review/commit.e2e.test.ts',
  'test/scaffold/new-cli.test.ts',
  'test/engine/jscodeshift.test.ts',
  'test/scaffold/typecheck.test.ts',
  'test/handles/process.e2e.test.ts',
  'test/faults/concurrent-updates.test.ts',
  'test/review/interactive.e2e.test.ts',
];

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => {
      const index = LONGEST_FIRST.findIndex((path) => file.moduleId.replace(/\\/g, '/').endsWith(path));
      return index === -1 ? LONGEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: the rest keep Vitest's own order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
