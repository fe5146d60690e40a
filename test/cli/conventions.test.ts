import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

// What users expect of any command-line tool: pipes, Ctrl-C, colors, paths, patches that apply.
const bin = join(REPO_ROOT, 'bin/mcp-sessionless.js');
const work = mkdtempSync(join(tmpdir(), 'mcp-sl-conventions-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const example = join(REPO_ROOT, 'examples/cart-server');

/** Run the CLI with the reader of its stdout gone before it writes a byte, as `… | head` ends up. */
function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: work, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/** Spawn with an exact environment: unlike runCli, NO_COLOR is not set unless given. */
function runWithEnv(args: string[], env: Record<string, string | undefined>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NO_COLOR' && key !== 'FORCE_COLOR'));
  return spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', env: { ...base, ...env } });
}

describe('pipes', () => {
  it.each([
    ['migrate', ['migrate', example]],
    ['new --dry-run', ['new', 'piped-demo', '--yes', '--dry-run']],
  ])('%s | head exits quietly when the reader goes away', async (_name, args) => {
    const run = await withClosedStdout(args);
    expect(run.stderr).not.toMatch(/EPIPE|internal error|\n\s+at /);
    expect(run.code).toBe(0);
  });
});

describe('Ctrl-C at a prompt', () => {
  // A real terminal: `script` runs the CLI on a pseudo-terminal, so `new` prompts; ^C goes in as a keystroke.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('prints "cancelled" and exits 130, without a stack trace', async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)} new`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: work, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const prompted = new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Project name')) resolve();
      });
    });
    await prompted;
    child.stdin.write('\x03');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(output).toContain('cancelled');
    expect(output).not.toMatch(/internal error|ExitPromptError|\n\s+at /);
    expect(code).toBe(130);
  }, 60_000);
});

describe('new with a folder', () => {
  it.each([
    ['a relative path with uppercase letters', './servers/Weather-Server', 'servers/Weather-Server', 'weather-server'],
    ['an absolute path', join(work, 'abs', 'demo'), 'abs/demo', 'demo'],
    ['a folder name with spaces', 'My MCP Server', 'My MCP Server', 'my-mcp-server'],
  ])('takes %s and derives the package name from its base name', (_name, argument, folder, packageName) => {
    const run = runCli(['new', argument, '--yes', '--no-install', '--no-git'], { cwd: work });
    expect(run.code, run.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(join(work, folder, 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe(packageName);
  });

  it('takes --name over the derived name, and refuses a folder and --dir together', () => {
    const named = runCli(['new', './named/Thing', '--name', '@acme/thing', '--yes', '--no-install', '--no-git'], { cwd: work });
    expect(named.code, named.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(work, 'named/Thing/package.json'), 'utf8'))).toMatchObject({ name: '@acme/thing' });
    const both = runCli(['new', './a/B', '--dir', 'c', '--yes'], { cwd: work });
    expect(both).toMatchObject({ code: 1, stderr: 'error: two folders given: "./a/B" and --dir "c"\n' });
  });

  it('asks for the name (or names the flag) when none can be derived from the folder', () => {
    const run = runCli(['new', './___', '--yes', '--no-install', '--no-git'], { cwd: work });
    expect(run).toMatchObject({ code: 1, stderr: 'error: missing project name: pass it as the first argument or --name <name> (no terminal to ask on, or --yes was given)\n' });
  });
});

describe('new after the files are written', () => {
  it('names a missing package manager and the exact command to run, and still sets up git', () => {
    // PATH with git only: pnpm cannot be found.
    const path = join(work, 'only-git');
    mkdirSync(path);
    symlinkSync(execFileSync('which', ['git'], { encoding: 'utf8' }).trim(), join(path, 'git'));
    const run = runWithEnv(['new', 'pm-demo', '--yes', '--package-manager', 'pnpm'], {
      NO_COLOR: '1',
      PATH: path,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    });
    expect(run.stderr).toContain('error: pnpm is not installed (not found on PATH); the files are written. To install, run:\n  cd pm-demo && pnpm install\n');
    expect(run.stderr).toContain('Initialized a git repository with a first commit');
    expect(run.stdout).toContain('\nNext:\n  cd pm-demo\n  pnpm install\n  pnpm test\n');
    expect(run.status).toBe(1);
  });

  it('tells how to give bearer tokens before `start`', () => {
    const run = runCli(['new', 'bearer-demo', '--yes', '--auth', 'bearer', '--no-install', '--no-git'], { cwd: work });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('  MCP_TOKENS="dev-token=alice" npm run start');
  });
});

describe('migrate output', () => {
  it('takes --format like audit, with --report kept as an alias', () => {
    const format = runCli(['migrate', example, '--format', 'json']);
    const report = runCli(['migrate', example, '--report', 'json']);
    expect(format.code, format.stderr).toBe(0);
    const strip = (text: string) => text.replace(/"durationMs": \d+/g, '');
    expect(strip(format.stdout)).toBe(strip(report.stdout));
    expect(runCli(['migrate', example, '--format', 'sarif'])).toMatchObject({ code: 1, stderr: 'error: --format must be one of text, json, markdown; got "sarif"\n' });
  });

  it('prints the edits first and each generated module as one line; --diff-new-files prints them whole', () => {
    const short = runCli(['migrate', example]);
    expect(short.code, short.stderr).toBe(0);
    expect(short.stdout).not.toContain('+++ b/src/handle-store.ts');
    expect(short.stdout.trimEnd().split('\n').at(-1)).toMatch(/^new file src\/handle-store\.ts \(\d+ lines, generated; --diff-new-files prints it\)$/);
    const whole = runCli(['migrate', example, '--diff-new-files']);
    const store = whole.stdout.indexOf('+++ b/src/handle-store.ts');
    expect(store).toBeGreaterThan(whole.stdout.lastIndexOf('+++ b/src/server.ts'));
  });

  it('colors with FORCE_COLOR=1 through a pipe; NO_COLOR wins over it', () => {
    // `new --dry-run` prints colored diffs without loading TypeScript, so these runs are quick; one audit shows
    // the engine's commands share the rule.
    const dryRun = ['new', 'color-demo', '--yes', '--dry-run'];
    expect(runWithEnv(dryRun, { FORCE_COLOR: '1' }).stdout).toContain('\x1b[');
    expect(runWithEnv(dryRun, {}).stdout).not.toContain('\x1b[');
    expect(runWithEnv(dryRun, { FORCE_COLOR: '0' }).stdout).not.toContain('\x1b[');
    expect(runWithEnv(dryRun, { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toContain('\x1b[');
    expect(runWithEnv(['audit', example], { FORCE_COLOR: '1' }).stdout).toContain('\x1b[');
  });

  it('writes a --patch that git apply accepts at the top of a monorepo, from the top or from the package', () => {
    const repo = join(work, 'monorepo');
    cpSync(example, join(repo, 'packages/cart'), { recursive: true });
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q');
    git('add', '-A');
    git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'start');
    const fromTop = runCli(['migrate', 'packages/cart', '--patch', join(work, 'top.diff')], { cwd: repo });
    expect(fromTop.code, fromTop.stderr).toBe(0);
    const fromPackage = runCli(['migrate', '.', '--patch', join(work, 'package.diff')], { cwd: join(repo, 'packages/cart') });
    expect(fromPackage.code, fromPackage.stderr).toBe(0);
    for (const patch of ['top.diff', 'package.diff']) {
      expect(readFileSync(join(work, patch), 'utf8')).toContain('+++ b/packages/cart/src/server.ts');
      git('apply', '--check', join(work, patch));
    }
  });

  it('writes a --patch of CRLF files (one with a BOM) that git apply turns into exactly what --write writes', () => {
    const copy = (name: string) => {
      const dir = join(work, name);
      cpSync(example, dir, { recursive: true });
      for (const file of ['src/server.ts', 'src/carts.ts']) {
        const text = readFileSync(join(dir, file), 'utf8').replace(/\n/g, '\r\n');
        writeFileSync(join(dir, file), file === 'src/carts.ts' ? `\uFEFF${text}` : text);
      }
      const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
      git('init', '-q');
      git('add', '-A');
      git('-c', 'user.name=Test', '-c', 'user.email=test@example.com', 'commit', '-qm', 'start');
      return { dir, git };
    };
    const patched = copy('crlf-patched');
    const written = copy('crlf-written');
    const patch = runCli(['migrate', '.', '--no-formatter', '--patch', join(work, 'crlf.diff')], { cwd: patched.dir });
    expect(patch.code, patch.stderr).toBe(0);
    patched.git('apply', join(work, 'crlf.diff'));
    const write = runCli(['migrate', '.', '--no-formatter', '--write'], { cwd: written.dir });
    expect(write.code, write.stderr).toBe(0);
    for (const file of ['src/server.ts', 'src/carts.ts', 'src/handle-store.ts']) {
      expect(readFileSync(join(patched.dir, file)).equals(readFileSync(join(written.dir, file))), file).toBe(true);
    }
    expect(readFileSync(join(patched.dir, 'src/carts.ts'), 'utf8').startsWith('\uFEFF')).toBe(true);
  });
});
