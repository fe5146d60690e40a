import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

/**
 * A project with two independent parts: the cart example (its files and the handle store the run creates must
 * change together) and an admin server whose transport change is two separate hunks in one file.
 */
export function reviewProject(options: { prettier?: boolean } = {}): TempProject {
  const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
  // With Prettier: the project's own config, and the repository's install linked in (ignored by git).
  const formatting: Record<string, string> = options.prettier
    ? { 'package.json': '{ "name": "p", "private": true }\n', '.prettierrc': '{ "singleQuote": true, "semi": false }\n', '.gitignore': 'node_modules\n' }
    : {};
  const project = tempProject(
    {
      ...formatting,
      'src/carts.ts': read('examples/cart-server/src/carts.ts'),
      'src/catalog.ts': read('examples/cart-server/src/catalog.ts'),
      'src/server.ts': read('examples/cart-server/src/server.ts'),
      'src/admin.ts': read('test/fixtures/stateless-transport/express-v1.input.ts'),
    },
    { git: !options.prettier },
  );
  if (options.prettier) {
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(project.dir, 'node_modules'));
    project.git('init', '-q', '-b', 'main');
    project.git('add', '-A');
    project.git('commit', '-qm', 'initial');
  }
  return project;
}

export const GIT_IDENTITY = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

/** Run the built CLI in a real pseudo-terminal, answering each prompt when its text shows up. */
export function runInTerminal(args: readonly string[], answers: ReadonlyArray<[prompt: string, keys: string]>, cwd: string): { code: number; output: string } {
  const steps = join(mkdtempSync(join(tmpdir(), 'mcp-sl-pty-')), 'steps.json');
  writeFileSync(steps, JSON.stringify(answers));
  const result = spawnSync('python3', [join(REPO_ROOT, 'test/review/pty-drive.py'), steps, process.execPath, join(REPO_ROOT, 'bin/mcp-sessionless.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...GIT_IDENTITY },
    timeout: 120_000,
  });
  // Strip terminal control sequences so assertions read the words a person sees.
  const output = `${result.stdout}${result.stderr}`.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  return { code: result.status ?? -1, output };
}
