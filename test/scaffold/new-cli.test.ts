import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderNewProject } from '../../src/scaffold/render-new.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { runScaffoldCli } from './cli.js';
import { optionsWith } from './options.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('new through the CLI', () => {
  it('writes the rendered project with --yes, and nothing else', () => {
    project = tempProject({});
    const run = runScaffoldCli(['new', 'demo-server', '--yes', '--no-install', '--no-git'], { cwd: project.dir });
    expect(run.code, run.stderr).toBe(0);
    const expected = renderNewProject(optionsWith());
    for (const [path, content] of Object.entries(expected)) expect(project.read(join('demo-server', path)), path).toBe(content);
    expect(readdirSync(join(project.dir, 'demo-server')).sort()).toEqual(['.env.example', '.gitignore', 'README.md', 'package.json', 'src', 'test', 'tsconfig.build.json', 'tsconfig.json', 'vitest.config.ts']);
    expect(run.stdout).toContain('cd demo-server\n  npm install\n  npm run test\n  npm run start\n');
  });

  it('--dry-run prints the tree and the diffs and writes nothing', () => {
    project = tempProject({ 'demo-server/.git/HEAD': 'ref: refs/heads/main\n' });
    const before = project.hash();
    const run = runScaffoldCli(['new', 'demo-server', '--yes', '--dry-run', '--framework', 'express', '--store', 'redis'], { cwd: project.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(project.hash()).toBe(before);
    expect(run.stdout).toMatch(/^demo-server\/\n├── src\/\n│ {3}├── handles\/\n/);
    expect(run.stdout).toContain('diff --git a/src/http.ts b/src/http.ts\nnew file mode 100644\n');
    expect(run.stdout).toContain("+import express from 'express';");
    expect(run.stderr).toContain('Dry run: 17 files would be written to demo-server; would then install dependencies and initialize git. Nothing was written.');
  });

  it('refuses a non-empty folder without --force, and writes into it with --force', () => {
    project = tempProject({ 'demo-server/notes.txt': 'mine\n', 'demo-server/README.md': 'old\n' });
    const before = project.hash();
    const refused = runScaffoldCli(['new', 'demo-server', '--yes', '--no-install', '--no-git'], { cwd: project.dir });
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^error: .*demo-server is not empty \(README\.md, notes\.txt\); choose another folder or pass --force to write into it\n$/);
    expect(project.hash()).toBe(before);

    const forced = runScaffoldCli(['new', 'demo-server', '--yes', '--no-install', '--no-git', '--force'], { cwd: project.dir });
    expect(forced.code, forced.stderr).toBe(0);
    expect(project.read('demo-server/notes.txt')).toBe('mine\n');
    expect(project.read('demo-server/README.md')).toContain('# demo-server');
  });

  it('fails without a name when there is no terminal to ask on', () => {
    project = tempProject({});
    const run = runScaffoldCli(['new', '--no-install'], { cwd: project.dir });
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('error: missing project name: pass it as the first argument or --name <name> (no terminal to ask on, or --yes was given)\n');
    expect(readdirSync(project.dir)).toEqual([]);
  });

  it.each([
    [['new', '--name', 'Demo', '--yes'], 'error: --name: the project name "Demo" has uppercase letters; npm package names are lowercase\n'],
    [['new', 'demo', '--yes', '--store', 'sqlite'], 'error: --store must be one of memory, redis; got "sqlite"\n'],
    [['new', 'demo', '--yes', '--transport', 'stdio', '--auth', 'bearer'], 'error: --auth applies only to servers with an HTTP transport (stdio has no bearer tokens)\n'],
    [['new', 'demo', '--name', 'other', '--yes'], 'error: two names given: "demo" and --name "other"\n'],
    [['new', './___', '--yes'], 'error: missing project name: pass it as the first argument or --name <name> (no terminal to ask on, or --yes was given)\n'],
  ])('rejects %j with a message and writes nothing', (args, message) => {
    project = tempProject({});
    const run = runScaffoldCli(args, { cwd: project.dir });
    expect(run).toMatchObject({ code: 1, stderr: message });
    expect(existsSync(join(project.dir, 'demo'))).toBe(false);
  });

  it('initializes git with a first commit when asked', () => {
    project = tempProject({});
    const env = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
    const run = runScaffoldCli(['new', 'demo-server', '--yes', '--no-install', '--git', '--dir', 'out'], { cwd: project.dir, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('Initialized a git repository with a first commit');
    expect(existsSync(join(project.dir, 'out', '.git'))).toBe(true);
  });
});
