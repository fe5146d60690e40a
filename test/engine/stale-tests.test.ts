import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/engine/migrate.js';
import { staleTests } from '../../src/engine/stale-tests.js';
import { BUILT_IN_REGISTRY } from '../../transforms/index.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const BEFORE = `let page: string | undefined;
export function currentPage(): string {
  return page ?? 'about:blank';
}
export const VERSION = '1.0.0';
`;
const AFTER = BEFORE.replace("return page ?? 'about:blank';", "return browser.page ?? 'about:blank';");
const CHANGES = [{ path: 'src/browser.ts', before: BEFORE, after: AFTER, transforms: ['session-scope'] }];

describe('staleTests', () => {
  it('warns once per test file that imports a rewritten declaration, at its first such import', () => {
    const tests: Record<string, string> = {
      'test/browser.test.ts': `import { describe } from 'vitest';\nimport { currentPage, VERSION } from '../src/browser.js';\n`,
      'test/version.test.ts': `import { VERSION } from '../src/browser.js';\n`,
      'test/types.test.ts': `import type { currentPage } from '../src/browser.js';\n`,
      'test/all.test.ts': `import * as browser from '../src/browser';\n`,
    };
    const found = staleTests(Object.keys(tests), (path) => tests[path], CHANGES);
    expect(found.map((d) => [d.file, d.line, d.rule, d.level])).toEqual([
      ['test/browser.test.ts', 2, 'stale-test', 'warning'],
      ['test/all.test.ts', 1, 'stale-test', 'warning'],
    ]);
    expect(found[0]!.message).toContain('uses currentPage from src/browser.ts, which migrate rewrote');
  });

  it('says nothing about generated files or files no transform changed', () => {
    const tests = { 't.test.ts': `import { currentPage } from './src/browser.js';\n` };
    expect(staleTests(['t.test.ts'], (path) => tests[path as keyof typeof tests], [{ ...CHANGES[0]!, transforms: [] }])).toEqual([]);
    expect(staleTests(['t.test.ts'], (path) => tests[path as keyof typeof tests], [{ ...CHANGES[0]!, before: undefined }])).toEqual([]);
  });
});

describe('migrate warns about tests it left alone that use what it rewrote', () => {
  let project: TempProject | undefined;
  afterEach(() => project?.remove());

  it('names the test and the helper, and writes nothing to the test', async () => {
    const fixture = join(REPO_ROOT, 'test/fixtures/session-scope/server-class-field-object-v1/input/src');
    const files = Object.fromEntries(['index.ts', 'server.ts', 'cursor.ts'].map((name) => [`src/${name}`, readFileSync(join(fixture, name), 'utf8')]));
    const test = `import { NotesServer } from '../src/server.js';\nnew NotesServer();\n`;
    project = tempProject({ ...files, 'test/server.test.ts': test });
    const result = await migrate({ path: project.dir, registry: BUILT_IN_REGISTRY, typecheck: false, format: false });
    expect(result.changes.map((c) => c.path)).toContain('src/server.ts');
    expect(result.changes.map((c) => c.path)).not.toContain('test/server.test.ts');
    const warned = result.diagnostics.filter((d) => d.rule === 'stale-test');
    expect(warned.map((d) => [d.file, d.line])).toEqual([['test/server.test.ts', 1]]);
    expect(warned[0]!.message).toContain('NotesServer from src/server.ts');
  });
});
