import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findProjectFormatter } from '../../src/engine/formatters.js';
import { migrate } from '../../src/migrate.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** A workspace root with Prettier's config and install, and a package below it with its own package.json. */
function monorepo(): TempProject {
  const repo = tempProject({
    'package.json': '{ "name": "root", "private": true, "workspaces": ["packages/*"] }\n',
    '.prettierrc': '{ "singleQuote": true, "semi": false, "printWidth": 100 }\n',
  });
  // The real Prettier, hoisted to the root as workspaces install it.
  mkdirSync(join(repo.dir, 'node_modules'));
  symlinkSync(join(REPO_ROOT, 'node_modules', '.bin'), join(repo.dir, 'node_modules', '.bin'));
  cpSync(join(REPO_ROOT, 'examples/cart-server'), join(repo.dir, 'packages/cart'), { recursive: true });
  return repo;
}

describe('project formatter', () => {
  it("finds a monorepo root's Prettier config and install from a package below it", () => {
    project = monorepo();
    const formatter = findProjectFormatter(join(project.dir, 'packages/cart'));
    expect(formatter).toMatchObject({ name: 'prettier', bin: join(project.dir, 'node_modules/.bin/prettier') });
  });

  it('leaves every written file as prettier --check wants it', async () => {
    project = monorepo();
    const result = await migrate({ path: join(project.dir, 'packages/cart'), write: true, allowDirty: true });
    expect(result.formatter).toBe('prettier');
    expect(result.written.length).toBeGreaterThan(1);
    const files = result.written.map((path) => join('packages/cart', path));
    // Throws (non-zero exit) when any file is not formatted.
    execFileSync(join(project.dir, 'node_modules/.bin/prettier'), ['--check', ...files], { cwd: project.dir, stdio: 'pipe' });
  });
});
