/**
 * `migrate --interactive` driven through a real pseudo-terminal, as a person would: accept some hunks, skip
 * others, and check the tree on disk holds exactly what was accepted and nothing else.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/migrate.js';
import type { FileChange } from '../../src/engine/vfs.js';
import { applyAccepted } from '../../src/review/hunks.js';
import { runCli } from '../helpers/cli.js';
import type { TempProject } from '../helpers/temp-project.js';
import { reviewProject, runInTerminal } from './review-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

async function pendingChanges(dir: string): Promise<Map<string, FileChange>> {
  const result = await migrate({ path: dir });
  return new Map(result.changes.map((change) => [change.path, change]));
}

describe('migrate --interactive', () => {
  it('writes exactly the hunks accepted: one hunk of a file skipped, a group of files accepted whole', async () => {
    project = reviewProject();
    const pending = await pendingChanges(project.dir);
    expect([...pending.keys()]).toEqual(['src/admin.ts', 'src/carts.ts', 'src/handle-store.ts', 'src/server.ts']);
    const run = runInTerminal(
      ['migrate', '.', '--interactive'],
      [
        ['Accept this hunk \\(1/2 of src/admin.ts\\)', 'n\r'],
        ['Accept this hunk \\(2/2 of src/admin.ts\\)', 'y\r'],
        ['Accept this group of 3 files', 'y\r'],
        ['Write 4 file\\(s\\)', 'y\r'],
      ],
      project.dir,
    );
    expect(run.code, run.output).toBe(0);
    // Beside each hunk: the transform, its rules and the reason.
    expect(run.output).toContain('transform: stateless-transport  rules: SL001, SL002');
    expect(run.output).toContain('why: carts keyed by session → cart_id handles from create_cart');
    expect(run.output).toContain('These files are accepted or skipped as one group:');
    expect(run.output).toContain('src/server.ts imports src/handle-store.ts, which this run creates');
    expect(run.output).toContain('4 file(s) written · 5 of 6 hunk(s) accepted');

    const admin = pending.get('src/admin.ts') as FileChange;
    const partial = applyAccepted(admin, new Set([1]));
    expect(partial.kind).toBe('ok');
    expect(project.read('src/admin.ts')).toBe(partial.kind === 'ok' ? partial.text : '');
    expect(project.read('src/admin.ts')).not.toBe(admin.after);
    expect(project.read('src/admin.ts')).toContain("import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';");
    for (const path of ['src/carts.ts', 'src/handle-store.ts', 'src/server.ts']) expect(project.read(path), path).toBe(pending.get(path)?.after);
    expect(project.git('status', '--porcelain').split('\n').filter(Boolean).sort()).toEqual([' M src/admin.ts', ' M src/carts.ts', ' M src/server.ts', '?? src/handle-store.ts']);
  });

  it('skips a group whole and accepts the rest of a file with one key', async () => {
    project = reviewProject();
    const pending = await pendingChanges(project.dir);
    const before = { carts: project.read('src/carts.ts'), server: project.read('src/server.ts') };
    const run = runInTerminal(
      ['migrate', '.', '--interactive'],
      [
        ['Accept this hunk \\(1/2 of src/admin.ts\\)', 'a\r'],
        ['Accept this group of 3 files', 'n\r'],
        ['Write 1 file\\(s\\)', 'y\r'],
      ],
      project.dir,
    );
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toContain('Accept this hunk (2/2');
    expect(project.read('src/admin.ts')).toBe(pending.get('src/admin.ts')?.after);
    expect(project.read('src/carts.ts')).toBe(before.carts);
    expect(project.read('src/server.ts')).toBe(before.server);
    expect(existsSync(join(project.dir, 'src/handle-store.ts'))).toBe(false);
  });

  it('quits without writing anything when nothing was accepted', () => {
    project = reviewProject();
    const hash = project.hash();
    const run = runInTerminal(['migrate', '.', '--interactive'], [['Accept this hunk \\(1/2', 'q\r']], project.dir);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('Nothing accepted; nothing written.');
    expect(project.hash()).toBe(hash);
  });

  it('stops on Ctrl-C with exit code 130 and writes nothing, even what was accepted', () => {
    project = reviewProject();
    const hash = project.hash();
    const run = runInTerminal(
      ['migrate', '.', '--interactive'],
      [
        ['Accept this hunk \\(1/2', 'y\r'],
        ['Accept this hunk \\(2/2', '\u0003'],
      ],
      project.dir,
    );
    expect(run.code, run.output).toBe(130);
    expect(run.output).toContain('review cancelled; nothing was written');
    expect(project.hash()).toBe(hash);
  });

  it('refuses a dirty tree before asking anything, like --write', () => {
    project = reviewProject();
    project.write('src/scratch.ts', 'export {};\n');
    const hash = project.hash();
    const run = runInTerminal(['migrate', '.', '--interactive'], [], project.dir);
    expect(run.code).toBe(1);
    expect(run.output).toContain('error: the git work tree has uncommitted changes');
    expect(run.output).not.toContain('Accept');
    expect(project.hash()).toBe(hash);
  });

  it('never prompts without a terminal', () => {
    project = reviewProject();
    const hash = project.hash();
    const run = runCli(['migrate', project.dir, '--interactive']);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toBe('error: --interactive needs a terminal (stdin and stdout); without one, review the dry-run diffs and apply them with --write\n');
    expect(project.hash()).toBe(hash);
  });
});
