import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take minutes (npm installs of generated projects, the packed tarball, the conformance suite,
 * other Node versions), longest first. Started last, one of them alone decides when the run ends; started first,
 * the short files fill the other workers around them. Vitest orders by recorded durations only once a run has
 * cached them, and a fresh clone (CI) has none.
 */
const LONGEST_FIRST = [
  'test/scaffold/scaffold.e2e.test.ts',
  'test/cli/pack.e2e.test.ts',
  'test/scaffold/conformance.e2e.test.ts',
  'test/cli/conventions.test.ts',
  'test/handles/session.e2e.test.ts',
  'test/scaffold/add-handle.test.ts',
  'test/cli/node-versions.e2e.test.ts',
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
