import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScaffoldCli } from './cli.js';

/**
 * The official conformance suite against a server `new` generates: the release that carries the 2026-07-28
 * requirement set, on Node 22 as it requires, both from the npm registry through npx. The suite's required
 * scenarios mostly exercise the tools of its own reference server (test_simple_text, prompts, resources…);
 * a generated server has its own tools, so the test prints every scenario's result and holds the server to
 * the scenarios about serving itself, which any 2026-07-28 server must pass.
 */
const CONFORMANCE = '@modelcontextprotocol/conformance@0.2.0-alpha.12';
const REVISION = '2026-07-28';
/**
 * Scenarios about serving itself (lists, caching, headers, DNS rebinding, result shapes), which do not call the
 * reference server's test_* tools, prompts or resources: a generated server must pass each of them whole.
 */
const MUST_PASS = [
  'tools-list',
  'resources-list',
  'prompts-list',
  'caching',
  'dns-rebinding-protection',
  'server-sse-multiple-streams',
  'sep-2164-resource-not-found',
  'http-header-validation',
  'input-required-result-missing-input-response',
  'input-required-result-unsupported-methods',
  'input-required-result-ignore-extra-params',
  'input-required-result-validate-input',
];
/** Scenarios that mix serving checks with checks needing the reference tools: only "Not testable" may fail. */
const MUST_PASS_WHAT_IS_TESTABLE = ['server-stateless'];

const workspace = mkdtempSync(join(tmpdir(), 'mcp-sl-conformance-'));
const project = join(workspace, 'conformance-demo');
const results = join(workspace, 'results');
let server: ChildProcess | undefined;
afterAll(() => {
  server?.kill();
  rmSync(workspace, { recursive: true, force: true });
});

// The generated project's npm must not see this test run's settings.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|npm_|NODE_OPTIONS$|TEST$)/i.test(key))) as Record<string, string>;
const env = { ...cleanEnv, NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const conformance = (args: string[], timeout: number) =>
  spawnSync('npx', ['--yes', '-p', 'node@22', '-p', CONFORMANCE, 'conformance', ...args], { cwd: workspace, encoding: 'utf8', env, timeout });

/** Why the suite cannot run here (no registry, no Node 22 package), or undefined when it can. */
let unavailable: string | undefined;

beforeAll(() => {
  const version = conformance(['--version'], 300_000);
  if (version.status !== 0) unavailable = `cannot install ${CONFORMANCE} on node@22 through npx: ${(version.stderr || String(version.error)).trim().split('\n').slice(-3).join(' ')}`;
}, 320_000);

/** Start the built server on a free port; resolves with its endpoint URL once it listens. */
function startServer(): Promise<string> {
  return new Promise((resolve, reject) => {
    server = spawn(process.execPath, ['dist/http.js'], { cwd: project, env: { ...env, PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) resolve(url);
    });
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening: ${stderr}`)));
  });
}

interface Check {
  id: string;
  status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'SKIPPED' | 'INFO';
  errorMessage?: string;
}

/** results/server-<scenario>-<timestamp>/checks.json → scenario → its checks. */
function readResults(): Map<string, Check[]> {
  const byScenario = new Map<string, Check[]>();
  for (const folder of existsSync(results) ? readdirSync(results) : []) {
    const file = join(results, folder, 'checks.json');
    if (!existsSync(file)) continue;
    const scenario = folder.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, '');
    byScenario.set(scenario, [...(byScenario.get(scenario) ?? []), ...(JSON.parse(readFileSync(file, 'utf8')) as Check[])]);
  }
  return byScenario;
}

describe(`official conformance suite (${CONFORMANCE}, requirements ${REVISION})`, () => {
  it('passes the serving scenarios against a generated HTTP server, and reports every scenario', async (context) => {
    if (unavailable) return context.skip(unavailable);

    const created = runScaffoldCli(['new', 'conformance-demo', '--yes', '--transport', 'http', '--no-install', '--no-git'], { cwd: workspace });
    expect(created.code, created.stderr).toBe(0);
    for (const [command, args] of [['npm', ['install']], ['npm', ['run', 'build']]] as const) {
      const step = spawnSync(command, [...args], { cwd: project, encoding: 'utf8', env, timeout: 600_000 });
      expect(step.status, `${command} ${args.join(' ')}: ${step.stdout.slice(-2000)}${step.stderr.slice(-2000)}`).toBe(0);
    }
    const url = await startServer();

    const run = conformance(['server', '--url', url, '--requirements', REVISION, '-o', results], 900_000);
    const byScenario = readResults();
    const rows = [...byScenario].map(([scenario, checks]) => {
      const failed = checks.filter((c) => c.status === 'FAILURE');
      return { scenario, passed: checks.filter((c) => c.status === 'SUCCESS').length, failed: failed.length, first: failed[0]?.errorMessage ?? failed[0]?.id ?? '' };
    });
    // Per-scenario results in the test output, so a run shows where the generated server stands.
    console.log(
      [`conformance ${CONFORMANCE} --requirements ${REVISION} against ${url} (exit ${run.status}):`, ...rows.map((r) => `  ${r.failed === 0 ? 'pass' : 'FAIL'}  ${r.scenario}  (${r.passed} passed, ${r.failed} failed)${r.first ? `  ${r.first.slice(0, 160)}` : ''}`)].join('\n'),
    );

    expect(rows.length, `no results were written: ${run.stdout.slice(-2000)}${run.stderr.slice(-2000)}`).toBeGreaterThan(0);
    for (const scenario of MUST_PASS) {
      const row = rows.find((r) => r.scenario === scenario);
      expect(row, `${scenario} did not run`).toBeDefined();
      expect(row?.failed, `${scenario}: ${row?.first}`).toBe(0);
    }
    for (const scenario of MUST_PASS_WHAT_IS_TESTABLE) {
      const failed = (byScenario.get(scenario) ?? []).filter((c) => c.status === 'FAILURE' && !c.errorMessage?.startsWith('Not testable'));
      expect(byScenario.has(scenario), `${scenario} did not run`).toBe(true);
      expect(failed.map((c) => `${c.id}: ${c.errorMessage}`)).toEqual([]);
    }
  }, 1_800_000);
});
