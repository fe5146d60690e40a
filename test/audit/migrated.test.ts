/**
 * The audit as the check on migrated output: the bundled examples have findings before `migrate`
 * and none after it (every finding they have is one a transform fixes).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditFiles } from '../../src/audit/index.js';
import { resolveOptions, transformFiles } from '../../src/engine/run-transforms.js';
import { TRANSFORMS } from '../../transforms/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

function sources(example: string): Record<string, string> {
  const dir = join(REPO_ROOT, 'examples', example, 'src');
  return Object.fromEntries(readdirSync(dir).map((file) => [`src/${file}`, readFileSync(join(dir, file), 'utf8')]));
}

describe('audit of migrated output', () => {
  for (const example of ['cart-server', 'db-stdio']) {
    it(`${example}: every finding is fixable, and none is left after migrate`, () => {
      const files = sources(example);
      const before = auditFiles(files);
      expect(before.findings.length).toBeGreaterThan(0);
      expect(before.findings.filter((f) => f.fixedBy === 'manual')).toEqual([]);
      const options = Object.fromEntries(TRANSFORMS.map((t) => [t.id, resolveOptions(t, undefined)]));
      const migrated = transformFiles(files, { transforms: TRANSFORMS, options });
      expect(migrated.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
      const after = auditFiles({ ...files, ...migrated.changed });
      expect(after.errors).toEqual([]);
      expect(after.findings).toEqual([]);
      expect(after.classification.primary).toBe('no-session-use');
    });
  }
});
