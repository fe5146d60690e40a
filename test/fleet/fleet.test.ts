/**
 * The fleet summary through the real CLI over the project's own servers: the two examples and every audit
 * fixture, one project each. Rows must agree with a single-project audit of the same folder, and the
 * migrate estimate with an in-memory migration of it.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditProject } from '../../src/audit/index.js';
import { migrate } from '../../src/migrate.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import type { FleetJsonReport } from '../../src/report/fleet/json.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';

const AUDIT_FIXTURES = join(REPO_ROOT, 'test/fixtures/audit');
const servers = [
  'examples/cart-server',
  'examples/db-stdio',
  ...readdirSync(AUDIT_FIXTURES)
    .sort()
    .map((name) => `test/fixtures/audit/${name}`),
];

let report: FleetJsonReport;
let project: TempProject | undefined;
afterEach(() => project?.remove());

beforeAll(() => {
  const run = runCli(['audit', ...servers, '--summary', '--format', 'json']);
  expect(run.code, run.stderr).toBe(0);
  report = JSON.parse(run.stdout) as FleetJsonReport;
});

describe('audit --summary', () => {
  it('has one row per project, classified as the single-project audit classifies it', async () => {
    expect(report.projects.map((p) => p.path)).toEqual(servers);
    for (const row of report.projects) {
      const single = await auditProject(join(REPO_ROOT, row.path));
      expect(row.classification, row.path).toEqual(single.classification);
      expect(row.findings.total, row.path).toBe(single.findings.length);
      expect(row.status).toBe('audited');
    }
    const byName = new Map(report.projects.map((p) => [p.name, p]));
    for (const row of report.projects.filter((p) => p.name.startsWith('negative-'))) expect(row.classification.primary, row.name).toBe('no-session-use');
    expect(byName.get('cart-server')?.classification.primary).toBe('session-keyed-app-state');
    expect(byName.get('db-stdio')?.classification.primary).toBe('process-lifetime-state');
    expect(byName.get('gateway-v1-sticky')?.classification.primary).toBe('gateway-sticky-routing');
    expect(byName.get('auth-v2-session-user')?.classification.primary).toBe('auth-bound-to-session');
    expect(byName.get('p3-v2-node-sessions')?.classification.primary).toBe('routing-map-only');
    expect(byName.get('p10-v1-single-transport')?.classification.primary).toBe('generator-set-unused');
  });

  it('counts what migrate fixes: every finding is fixed or left under a marker', async () => {
    for (const row of report.projects) {
      expect(row.migrate.before, row.name).toBe(row.findings.total);
      expect(row.migrate.fixed + row.migrate.marked + row.migrate.unmarked, row.name).toBe(row.findings.total);
      expect(row.migrate.unmarked, row.name).toBe(0);
      // The estimate is a dry run of the real migration: same changes, same markers, same failures.
      const run = await migrate({ path: join(REPO_ROOT, row.path), format: false });
      expect(row.migrate.changedFiles, row.name).toBe(run.changes.length);
      expect(row.migrate.markers, row.name).toBe(run.diagnostics.filter((d) => d.message.startsWith(TODO_MARKER)).length);
      expect(row.migrate.errors, row.name).toBe(run.diagnostics.filter((d) => d.level === 'error').length);
    }
    // The examples migrate whole; a declined gateway stays under markers.
    const byName = new Map(report.projects.map((p) => [p.name, p]));
    expect(byName.get('cart-server')?.migrate).toMatchObject({ fixed: byName.get('cart-server')?.findings.total, marked: 0 });
    expect(byName.get('gateway-v1-sticky')?.migrate.fixed).toBe(0);
    expect(byName.get('gateway-v1-sticky')?.migrate.markers).toBeGreaterThan(0);
    const t = report.totals;
    expect(t.findings).toBe(report.projects.reduce((n, p) => n + p.findings.total, 0));
    expect(t.fixed + t.marked + t.unmarked).toBe(t.findings);
    expect(t.fixedShare).toBeCloseTo(t.fixed / t.findings, 10);
  });

  it('tallies the survey categories by primary category, with shares that add up', () => {
    expect(report.categories.map((c) => c.category)).toEqual([
      'no-session-use',
      'routing-map-only',
      'generator-set-unused',
      'session-keyed-app-state',
      'gateway-sticky-routing',
      'auth-bound-to-session',
      'process-lifetime-state',
    ]);
    for (const row of report.categories) {
      expect(row.count, row.category).toBe(report.projects.filter((p) => p.classification.primary === row.category).length);
      expect(row.share).toBeCloseTo(row.count / servers.length, 10);
    }
    expect(report.categories.reduce((n, c) => n + c.count, 0)).toBe(servers.length);
    expect(report.categories.find((c) => c.category === 'no-session-use')?.sepShare).toBe(0.9);
    expect(report.categories.find((c) => c.category === 'process-lifetime-state')?.sepShare).toBeUndefined();
  });

  it('prints the same figures as text and markdown', () => {
    const noSession = report.categories.find((c) => c.category === 'no-session-use');
    const share = `${((noSession?.share ?? 0) * 100).toFixed(1)}%`;
    const text = runCli(['audit', ...servers, '--summary']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^No session use +${noSession?.count} +${share.replace('.', '\\.')} +90\\.0%$`, 'm'));
    expect(text.stdout).toContain(`${servers.length} project(s) · ${report.totals.findings} finding(s) · migrate fixes ${report.totals.fixed} automatically`);
    const markdown = runCli(['audit', ...servers.slice(0, 2), '--summary', '--format', 'markdown']);
    expect(markdown.code).toBe(0);
    expect(markdown.stdout).toContain('| Category | Projects | Share | SEP-2567 survey |');
    expect(markdown.stdout).toContain('| Session-keyed app state | 1 | 50.0% | 2.5% |');
    expect(markdown.stdout).toContain('| Process-lifetime state (stdio) | 1 | 50.0% | – |');
    expect(markdown.stdout).toMatch(/^\| cart-server \| `session-keyed-app-state` \| `routing-map-only` \| \d+ /m);
  });

  it('reads projects from a list file, and reports a missing one without stopping', () => {
    project = tempProject({});
    const list = join(project.dir, 'servers.txt');
    writeFileSync(list, `# the examples\n${join(REPO_ROOT, 'examples/cart-server')}\n\n${join(REPO_ROOT, 'examples/db-stdio')}\nno-such-server\n`);
    const run = runCli(['audit', '--summary', '--paths-from', list, '--format', 'json']);
    expect(run.code).toBe(1);
    const listed = JSON.parse(run.stdout) as FleetJsonReport;
    expect(listed.projects.map((p) => [p.name, p.status])).toEqual([
      ['cart-server', 'audited'],
      ['db-stdio', 'audited'],
      ['no-such-server', 'failed'],
    ]);
    expect(listed.projects[2]?.errors).toEqual([`path not found: ${join(project.dir, 'no-such-server')}`]);
    expect(listed.totals).toMatchObject({ projects: 3, audited: 2 });
    expect(listed.categories.reduce((n, c) => n + c.count, 0)).toBe(2);
  });

  it('reads the list from standard input, and tells projects with one folder name apart by their paths', () => {
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/mcp-sessionless.js'), 'audit', '--summary', '--paths-from', '-', '--format', 'json'], {
      cwd: REPO_ROOT,
      input: 'examples/cart-server/src\ntest/fixtures/audit/p1-v1-cart-multifile/src\n',
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const listed = JSON.parse(run.stdout) as FleetJsonReport;
    expect(listed.projects.map((p) => p.name)).toEqual([join(REPO_ROOT, 'examples/cart-server/src'), join(REPO_ROOT, 'test/fixtures/audit/p1-v1-cart-multifile/src')]);
    expect(listed.projects.map((p) => p.classification.primary)).toEqual(['session-keyed-app-state', 'session-keyed-app-state']);
  });

  it('rejects what a summary cannot do', () => {
    expect(runCli(['audit', 'examples/cart-server', 'examples/db-stdio'])).toMatchObject({ code: 1, stderr: 'error: several paths are audited together only with --summary; got 2\n' });
    expect(runCli(['audit', 'examples/cart-server', '--summary', '--format', 'sarif']).stderr).toContain('SARIF is per project');
    expect(runCli(['audit', '--summary']).stderr).toBe('error: --summary needs project paths (as arguments or with --paths-from)\n');
  });
});
