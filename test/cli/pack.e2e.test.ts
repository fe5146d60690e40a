import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/fixtures.js';

// The published artifact, not the source tree: pack, then run it through npx from an unrelated folder.
// `npm test` has just built dist/, so packing skips the prepack build (other test files run the CLI meanwhile).
const work = mkdtempSync(join(tmpdir(), 'mcp-sl-pack-'));
let tarball = '';

const npx = (args: string[], cwd: string) =>
  spawnSync('npx', ['--yes', '--package', tarball, 'mcp-sessionless', ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', npm_config_update_notifier: 'false' },
    timeout: 300_000,
  });

beforeAll(() => {
  execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--silent'], { cwd: REPO_ROOT, stdio: 'pipe', env: { ...process.env } });
  tarball = join(work, readdirSync(work).find((f) => f.endsWith('.tgz')) ?? '');
}, 300_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('packed tarball', () => {
  it('runs --help and --version through npx', () => {
    const help = npx(['--help'], work);
    expect(help.stderr).not.toContain('ERR!');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: mcp-sessionless');
    expect(npx(['--version'], work).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 300_000);

  it('migrates the bundled example (dry run) from the installed package', () => {
    const example = join(work, 'cart-server');
    cpSync(join(REPO_ROOT, 'examples/cart-server'), example, { recursive: true });
    const run = npx(['migrate', example, '--report', 'json'], work);
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { stats: { discovered: number }; summary: { errors: number } };
    expect(report.stats.discovered).toBe(3);
    expect(report.summary.errors).toBe(0);
  }, 300_000);
});
