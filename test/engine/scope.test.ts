/** What counts as a test or test data by its path (src/rules/scope.ts): left out of the audit and the migration by default. */
import { describe, expect, it } from 'vitest';
import { isTestPath } from '../../src/engine/scope.js';

describe('isTestPath', () => {
  it.each(['test/helpers.ts', 'src/__tests__/a.ts', 'src/tools/connect.test.ts', 'e2e/run.ts', 'test-integration/helpers.ts', 'integration-tests/setup.ts', 'packages/db/e2e_tests/a.ts', 'tests.unit/a.ts'])(
    '%s is a test',
    (path) => expect(isTestPath(path)).toBe(true),
  );

  it.each(['src/server.ts', 'src/testing.ts', 'src/latest/index.ts', 'src/contest-tools/a.ts', 'examples/server.ts', 'src/attestation/sign.ts', 'test.ts'])('%s is server code', (path) =>
    expect(isTestPath(path)).toBe(false),
  );
});
