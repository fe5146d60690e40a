import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/index.js';
import { resolveOptions, transformFiles } from '../../src/engine/run-transforms.js';
import { perRequestContextTransform } from '../../transforms/per-request-context.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { describeTransformFixtures, FIXTURES_ROOT, typecheckFixtureOutputs } from '../helpers/fixtures.js';

describeTransformFixtures('per-request-context', perRequestContextTransform);

describe('per-request-context outputs', () => {
  it('type-check against the real SDKs', () => {
    expect(typecheckFixtureOutputs('per-request-context')).toEqual([]);
  });
});

describe('per-request-context: audit and markers agree on v1', () => {
  const options = Object.fromEntries(TRANSFORMS.map((t) => [t.id, resolveOptions(t, undefined)]));
  for (const name of ['connection-state-v1', 'client-context-v1', 'lowlevel-context-v1', 'threaded-helper-v1', 'roots-list-changed-v1']) {
    it(`${name}: every SL005 finding left after migrate has its one marker`, () => {
      const files = { 'index.ts': readFileSync(join(FIXTURES_ROOT, 'per-request-context', `${name}.input.ts`), 'utf8') };
      const migrated = transformFiles(files, { transforms: TRANSFORMS, options });
      expect(migrated.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
      const text = migrated.changed['index.ts'] ?? files['index.ts'];
      const findings = auditFiles({ 'index.ts': text }).findings.filter((f) => f.rule === 'SL005');
      const markers = text.split('\n').filter((line) => line.includes('@mcp-sessionless-todo(SL005)'));
      expect(markers.length).toBe(findings.length);
    });
  }
});
