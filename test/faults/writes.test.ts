import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../src/migrate.js';
import { CART_SERVER, REPO_ROOT, giveTo, scratchProject, type Scratch } from './project.js';

/**
 * What `migrate --write` does to the bytes of a project, run as a user runs it (the built CLI in a child
 * process) or, where the fault must land mid-run, through the engine with the fault injected from its progress
 * callback. Every case checks the files on disk afterwards.
 */

const CLI = join(REPO_ROOT, 'bin/mcp-sessionless.js');
const NOBODY = { uid: 65534, gid: 65534 };
const projects: Scratch[] = [];
afterEach(() => {
  for (const project of projects.splice(0)) project.remove();
});

function project(label: string, files: Record<string, string | Buffer>): Scratch {
  const made = scratchProject(label, files);
  projects.push(made);
  return made;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: readonly string[], options: { env?: Record<string, string>; as?: typeof NOBODY } = {}): Run {
  const command = options.as ? 'setpriv' : process.execPath;
  const prefix = options.as ? [`--reuid=${options.as.uid}`, `--regid=${options.as.gid}`, '--clear-groups', process.execPath] : [];
  const result = spawnSync(command, [...prefix, CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    timeout: 120_000,
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A PATH holding node and nothing else (node usually sits next to git in /usr/bin). */
function nodeOnlyPath(): string {
  const bin = join(REPO_ROOT, 'test', '.tmp', `node-only-${process.pid}`);
  mkdirSync(bin, { recursive: true });
  if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
  return bin;
}

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');
const staged = (scratch: Scratch) => scratch.files().filter((path) => /\.mcp-sessionless-\d+\.tmp$/.test(path));

describe('bytes outside the edits', () => {
  it('keeps a BOM and CRLF line ends (inserted lines included), and refuses a file that is not UTF-8', () => {
    // "Grüße" in Latin-1: the ü and ß bytes are not UTF-8.
    const latin1 = Buffer.concat([Buffer.from('// Gr'), Buffer.from([0xfc]), Buffer.from('e'), Buffer.from([0xdf]), Buffer.from('e\nexport const sessionId = (extra: { sessionId?: string }) => extra.sessionId;\n')]);
    const scratch = project('encoding', { 'src/server.ts': Buffer.from(`\uFEFF${crlf(CART_SERVER)}`, 'utf8'), 'src/legacy.ts': latin1 });
    const run = cli(['migrate', scratch.dir, '--write']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/src\/legacy\.ts.*not valid UTF-8; left as it is/);
    expect(run.stderr).not.toMatch(/internal error|dry run/);
    expect(scratch.bytes('src/legacy.ts').equals(latin1)).toBe(true);
    const written = scratch.bytes('src/server.ts');
    expect([...written.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = written.toString('utf8');
    expect(text).toContain('handles.update(carts, cart_id');
    expect(text.match(/(?<!\r)\n/g)).toBeNull();
    expect(text.split('\r\n').length).toBeGreaterThan(CART_SERVER.split('\n').length);
    // A file the run creates gets plain UTF-8 with LF.
    expect(scratch.text('src/handle-store.ts')).not.toContain('\r');
  });
});

describe('each import group all or nothing', () => {
  it('leaves a file edited while the run works, and its group, as they are', async () => {
    const scratch = project('concurrent-edit', { 'src/server.ts': CART_SERVER });
    const edited = `${CART_SERVER}// edited by hand while migrate ran\n`;
    const result = await migrate({
      path: scratch.dir,
      write: true,
      allowDirty: true,
      onProgress: (progress) => {
        if (progress.phase === 'write' && progress.done === 0) scratch.write('src/server.ts', edited);
      },
    });
    expect(result.written).toEqual([]);
    expect(result.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.file}: ${d.message}`)).toEqual([
      'src/handle-store.ts: not written: src/server.ts of its import group could not be written; none of the 2 files of its import group was changed',
      'src/server.ts: src/server.ts changed on disk while the migration ran; not written (run migrate again); none of the 2 files of its import group was changed',
    ]);
    expect(scratch.text('src/server.ts')).toBe(edited);
    expect(scratch.files()).toEqual(['src/server.ts']);
    // Run again: it completes.
    const again = await migrate({ path: scratch.dir, write: true, allowDirty: true });
    expect(again.written.sort()).toEqual(['src/handle-store.ts', 'src/server.ts']);
    expect(scratch.text('src/server.ts')).toContain('// edited by hand while migrate ran');
  });

  it('restores the group when one of its folders is read-only, and leaves no staged file', () => {
    const scratch = project('read-only', { 'src/server.ts': CART_SERVER });
    mkdirSync(join(scratch.dir, 'lib'));
    giveTo(scratch.dir, NOBODY.uid, NOBODY.gid);
    // lib/ stays root's and read-only: the user running migrate cannot create the store there.
    giveTo(join(scratch.dir, 'lib'), 0, 0);
    spawnSync('chmod', ['555', join(scratch.dir, 'lib')]);
    const run = cli(['migrate', scratch.dir, '--write', '--allow-dirty', '--set', 'session-state-to-handles.handle-store-path=lib/handle-store.ts'], { as: NOBODY });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/lib\/handle-store\.ts +error +write-error +cannot write: EACCES.*none of the 2 files of its import group was changed/);
    expect(run.stderr).toMatch(/src\/server\.ts +error +write-error +not written: lib\/handle-store\.ts of its import group could not be written/);
    expect(run.stderr).toContain('0 file(s) changed');
    expect(run.stderr).not.toMatch(/internal error|dry run/);
    expect(scratch.text('src/server.ts')).toBe(CART_SERVER);
    expect(staged(scratch)).toEqual([]);
  });
});

describe('the dirty-tree guard fails closed', () => {
  it('refuses when git is not on PATH inside a repository, unless --allow-dirty', () => {
    const scratch = project('no-git', { 'src/server.ts': CART_SERVER });
    const env = { PATH: nodeOnlyPath() };
    const refused = cli(['migrate', scratch.dir, '--write'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error: cannot tell whether the git work tree is clean (git is not on PATH); fix git, or pass --allow-dirty to write anyway');
    expect(scratch.files()).toEqual(['src/server.ts']);
    expect(cli(['migrate', scratch.dir, '--write', '--allow-dirty'], { env }).code).toBe(0);
    expect(scratch.text('src/server.ts')).toContain('handles.update(');
  });

  it('refuses when git distrusts the repository (dubious ownership)', () => {
    const scratch = project('dubious', { 'src/server.ts': CART_SERVER });
    spawnSync('git', ['init', '-q', scratch.dir]);
    giveTo(scratch.dir, NOBODY.uid, NOBODY.gid);
    const refused = cli(['migrate', scratch.dir, '--write'], { env: { GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot tell whether the git work tree is clean \(.*dubious ownership.*\)/);
    expect(scratch.files()).toEqual(['src/server.ts']);
  });

  it('writes in a folder outside any repository, as before (with or without git)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcp-sl-faults-'));
    try {
      const scratch = { dir };
      spawnSync('mkdir', ['-p', join(dir, 'src')]);
      writeFileSync(join(dir, 'src/server.ts'), CART_SERVER);
      expect(cli(['migrate', scratch.dir, '--write'], { env: { PATH: nodeOnlyPath() } }).code).toBe(0);
      expect(readdirSync(join(dir, 'src')).sort()).toEqual(['handle-store.ts', 'server.ts']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('options and output files are checked before anything runs', () => {
  const refusals: Array<[string, string[], RegExp]> = [
    ['a store path outside the project', ['--set', 'session-state-to-handles.handle-store-path=../../x.ts'], /handle-store-path: must be a path inside the project/],
    ['a lifetime timers cannot hold', ['--set', 'session-state-to-handles.ttl=99999999999'], /ttl: must be a number of seconds above 0 and at most 2147483/],
    ['an unwritable --patch', ['--patch', '/nonexistent-folder/changes.diff'], /--patch \/nonexistent-folder\/changes\.diff: cannot write there \(folder \/nonexistent-folder does not exist\); nothing was changed/],
    ['an unwritable --output', ['--report', 'json', '--output', '/etc/hostname/report.json'], /--output \/etc\/hostname\/report\.json: cannot write there \(\/etc\/hostname is not a folder\)/],
  ];
  for (const [label, args, message] of refusals) {
    it(`refuses ${label} with a clear message and changes nothing`, () => {
      const scratch = project('options', { 'src/server.ts': CART_SERVER });
      const run = cli(['migrate', scratch.dir, '--write', '--allow-dirty', ...args]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
      expect(scratch.files()).toEqual(['src/server.ts']);
      expect(scratch.text('src/server.ts')).toBe(CART_SERVER);
    });
  }

  it('never says "dry run" after --write', () => {
    const scratch = project('summary', { 'src/server.ts': CART_SERVER });
    const run = cli(['migrate', scratch.dir, '--write', '--allow-dirty', '--no-diff']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/2 file\(s\) changed/);
    expect(run.stderr).not.toContain('dry run');
  });
});

describe('a foreign module at the handle-store path', () => {
  it('is left alone: the store goes to a free path and the imports follow it', () => {
    const foreign = '// Our own registry of file handles.\nexport const handleStore = new Map<string, number>();\n';
    const scratch = project('foreign-store', { 'src/server.ts': CART_SERVER, 'src/handle-store.ts': foreign });
    const run = cli(['migrate', scratch.dir, '--write', '--allow-dirty', '--no-diff']);
    expect(run.code, run.stderr).toBe(0);
    expect(scratch.text('src/handle-store.ts')).toBe(foreign);
    expect(scratch.text('src/server.ts')).toContain("from './mcp-handle-store.js'");
    expect(scratch.text('src/mcp-handle-store.ts')).toContain('export const handles: HandleStore = createHandleStore();');
  });

  it('refuses clearly when handle-store-path names a foreign module', () => {
    const foreign = 'export const handleStore = 1;\n';
    const scratch = project('foreign-explicit', { 'src/server.ts': CART_SERVER, 'src/handle-store.ts': foreign });
    const run = cli(['migrate', scratch.dir, '--write', '--allow-dirty', '--set', 'session-state-to-handles.handle-store-path=src/handle-store.ts']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('src/handle-store.ts (handle-store-path) already exists and is not the handle store mcp-sessionless writes');
    // The other transforms may still apply; nothing imports the foreign module as a store.
    expect(scratch.text('src/server.ts')).not.toContain('handles.');
    expect(scratch.text('src/handle-store.ts')).toBe(foreign);
  });
});
