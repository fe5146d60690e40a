import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
let project: TempProject | undefined;
afterEach(() => project?.remove());

describe('CLI basics', () => {
  it('prints help and version', () => {
    const help = runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('migrate [options] [path]');
    const version = runCli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('rejects an unknown flag with a message and exit code 1', () => {
    const run = runCli(['migrate', '--frobnicate']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("error: unknown option '--frobnicate'");
  });

  it('rejects a missing path with a message and exit code 1', () => {
    const run = runCli(['migrate', 'no/such/dir']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('error: path not found: no/such/dir\n');
  });

  it('rejects unknown transforms, bad --set values and bad --report values', () => {
    expect(runCli(['migrate', '.', '--transforms', 'nope']).stderr).toMatch(/^error: unknown transform: nope\n {2}available: /);
    expect(runCli(['migrate', '.', '--set', 'garbage']).stderr).toContain('expected <transform>.<option>=<value>, got "garbage"');
    const report = runCli(['migrate', '.', '--report', 'xml']);
    expect(report).toMatchObject({ code: 1, stderr: 'error: --report must be one of text, json, markdown; got "xml"\n' });
  });

  it('refuses --write on a dirty git tree and writes nothing', () => {
    project = tempProject({ 'src/server.ts': 'export {};\n' }, { git: true });
    project.write('src/new.ts', 'export const x = 1;\n');
    const before = project.hash();
    const run = runCli(['migrate', project.dir, '--write']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: the git work tree has uncommitted changes; commit or stash them, or pass --allow-dirty\n  src/new.ts\n');
    expect(project.hash()).toBe(before);
  });

  it('writes a JSON report with the documented shape', () => {
    project = tempProject({ 'src/plain.ts': 'export const x = 1;\n' });
    const run = runCli(['migrate', project.dir, '--report', 'json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      schemaVersion: 1,
      tool: { name: 'mcp-sessionless', version: pkg.version },
      dryRun: true,
      files: [],
      diagnostics: [],
      summary: { changed: 0, written: 0, errors: 0, todos: 0 },
      stats: { discovered: 1, parsed: 0 },
    });
  });
});
