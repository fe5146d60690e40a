import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScaffoldCli } from './cli.js';

/**
 * Generate real projects, install them from the npm registry, and run their own type-check and
 * test suites (real servers, real MCP client, real Redis at 127.0.0.1:6379). The variants take
 * turns in one folder so later installs reuse node_modules and only add what changed.
 */
const workspace = mkdtempSync(join(tmpdir(), 'mcp-sl-e2e-'));
const project = join(workspace, 'demo-server');
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

// The generated project's own npm and vitest must not see this test run's settings.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|npm_|NODE_OPTIONS$|TEST$)/i.test(key))) as Record<string, string>;
const npmFlags = { ...cleanEnv, NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };

function run(command: string, args: string[], cwd = project): { code: number; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: npmFlags, timeout: 600_000 });
  // Colours off in the children, and any left stripped, so assertions read plain text.
  return { code: result.status ?? -1, output: `${result.stdout}\n${result.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

function expectOk(result: { code: number; output: string }): void {
  expect(result.code, result.output.slice(-4000)).toBe(0);
}

/** Empty the project folder except node_modules, so the next variant starts clean but installs incrementally. */
function clearProject(): void {
  for (const entry of readdirSync(project)) if (entry !== 'node_modules') rmSync(join(project, entry), { recursive: true, force: true });
}

describe('generated projects install, type-check and pass their own tests', () => {
  it('HTTP + stdio on Express with the memory store (installed by `new` itself)', () => {
    const created = runScaffoldCli(['new', 'demo-server', '--yes', '--framework', 'express', '--no-git'], { cwd: workspace, env: npmFlags });
    expect(created.code, created.stderr).toBe(0);
    expectOk(run('node_modules/.bin/tsc', ['--noEmit']));
    const tests = run('npm', ['test']);
    expectOk(tests);
    expect(tests.output).toMatch(/Tests +\d+ passed/);
  }, 600_000);

  it('HTTP on node:http with the Redis store and bearer auth: two server processes share handles', () => {
    clearProject();
    const created = runScaffoldCli(['new', 'demo-server', '--yes', '--force', '--transport', 'http', '--framework', 'node', '--store', 'redis', '--auth', 'bearer', '--no-install', '--no-git'], { cwd: workspace });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('MCP_TOKENS="dev-token=alice" npm run start');
    expectOk(run('npm', ['install']));
    expectOk(run('node_modules/.bin/tsc', ['--noEmit']));
    // Started without tokens, the server says which variable to set, not a stack trace.
    const withoutTokens = Object.fromEntries(Object.entries(npmFlags).filter(([key]) => key !== 'MCP_TOKENS'));
    const start = spawnSync('npm', ['run', 'start'], { cwd: project, encoding: 'utf8', env: withoutTokens, timeout: 300_000 });
    expect(start.status).toBe(1);
    expect(start.stderr).toContain('error: bearer auth needs MCP_TOKENS (token=principal pairs, e.g. MCP_TOKENS="dev-token=alice")');
    expect(start.stderr).not.toMatch(/\n\s+at /);
    const tests = run('npm', ['test', '--', '--reporter=verbose']);
    expectOk(tests);
    expect(tests.output).toContain('shares handles between two server processes');
    expect(tests.output).toContain("refuses another principal's handle");
    expect(tests.output).not.toMatch(/↓.*shares handles between two server processes/);
  }, 600_000);

  it('HTTP + stdio on Hono with Redis, grown by `add handle`', () => {
    clearProject();
    const created = runScaffoldCli(['new', 'demo-server', '--yes', '--force', '--framework', 'hono', '--store', 'redis', '--no-install', '--no-git'], { cwd: workspace });
    expect(created.code, created.stderr).toBe(0);
    const added = runScaffoldCli(['add', 'handle', 'shopping_cart', '--item', 'product', '--yes', '--write'], { cwd: project });
    expect(added.code, added.stderr).toBe(0);
    expectOk(run('npm', ['install']));
    expectOk(run('node_modules/.bin/tsc', ['--noEmit']));
    const tests = run('npm', ['test', '--', '--reporter=verbose']);
    expectOk(tests);
    expect(tests.output).toMatch(/shopping cart handles over '?stdio/);
    expect(tests.output).toMatch(/shopping cart handles over '?http/);
  }, 600_000);
});
