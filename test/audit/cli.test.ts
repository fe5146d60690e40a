/** `mcp-sessionless audit` through the built CLI, as a user (or CI) runs it: real files, real exit codes. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { auditProject } from '../../src/audit/index.js';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject } from '../helpers/temp-project.js';
import { sarifProblems } from './sarif-check.js';

const cart = join(REPO_ROOT, 'examples', 'cart-server');
const db = join(REPO_ROOT, 'examples', 'db-stdio');
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

const project = tempProject({
  'src/server.ts': readFileSync(join(db, 'src', 'index.ts'), 'utf8'),
  'src/database.ts': readFileSync(join(db, 'src', 'database.ts'), 'utf8'),
  'src/clean.ts': "import { McpServer } from '@modelcontextprotocol/server';\nexport const server = new McpServer({ name: 'x', version: '1' });\n",
  'generated/skip.ts': "import { McpServer } from '@modelcontextprotocol/server';\nlet current = '';\nconst s = new McpServer({ name: 'g', version: '1' });\ns.registerTool('use_x', {}, async () => { current = 'x'; return { content: [] }; });\ns.registerTool('get_x', {}, async () => ({ content: [{ type: 'text', text: current }] }));\n",
  '.gitignore': 'generated/\n',
});
afterAll(() => project.remove());

describe('audit CLI on the bundled examples', () => {
  it('prints findings grouped by file, without colors when not on a TTY, and exits 0 without --check', () => {
    const run = runCli(['audit', cart]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/\x1b\[/);
    expect(run.stdout).toMatch(/^src\/carts\.ts\n {2}7:14 +error +SL003 P1 +carts is keyed by the session id/);
    expect(run.stdout).toContain('\nsrc/server.ts\n');
    expect(run.stdout).toContain('classification: session-keyed-app-state (also routing-map-only)');
  });

  it('--check exits 2 when findings remain', () => {
    const run = runCli(['audit', db, '--check']);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('src/index.ts\n  7:5');
    expect(run.stdout).toContain('SL006 P2  db lives for the whole process');
  });

  it('--format json matches the library report', async () => {
    const run = runCli(['audit', cart, '--format', 'json']);
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    const library = await auditProject(cart);
    expect(json).toMatchObject({ schemaVersion: 1, tool: { name: 'mcp-sessionless', version: pkg.version }, root: cart });
    expect(json.findings).toEqual(library.findings);
    expect(json.classification).toEqual({ primary: 'session-keyed-app-state', categories: ['session-keyed-app-state', 'routing-map-only'] });
  });

  it('--format sarif --output writes valid SARIF to the file and says so on stderr', () => {
    const out = join(project.dir, 'audit.sarif');
    const run = runCli(['audit', cart, '--format', 'sarif', '--output', out]);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(run.stderr).toBe(`11 finding(s), 0 error(s); sarif report written to ${out}\n`);
    const log = JSON.parse(readFileSync(out, 'utf8'));
    expect(sarifProblems(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(11);
  });

  it('--format markdown renders a PR comment', () => {
    const run = runCli(['audit', db, '--format', 'markdown']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('## MCP sessionless audit');
    expect(run.stdout).toContain('| `src/index.ts:7:5` | SL006 | P2 process-lifetime state (stdio) | `db` |');
  });
});

describe('audit CLI: discovery, errors and exit codes', () => {
  it('honours .gitignore, --include and --exclude', () => {
    const all = JSON.parse(runCli(['audit', project.dir, '--format', 'json']).stdout);
    expect(all.stats.discovered).toBe(3);
    expect(all.findings.map((f: { file: string; state: string }) => `${f.file} ${f.state}`)).toEqual(['src/server.ts db']);
    const excluded = JSON.parse(runCli(['audit', project.dir, '--format', 'json', '--exclude', 'src/server.ts']).stdout);
    expect(excluded.findings).toEqual([]);
    const included = runCli(['audit', project.dir, '--check', '--include', 'src/clean.ts']);
    expect(included.code).toBe(0);
    expect(included.stdout).toContain('no session dependence found');
  });

  it('audits a single file', () => {
    const run = runCli(['audit', join(db, 'src', 'index.ts'), '--format', 'json']);
    expect(JSON.parse(run.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['index.ts']);
  });

  it('exits 1 on a missing path, a bad format, and a file that does not parse (after auditing the rest)', () => {
    expect(runCli(['audit', 'no/such/dir'])).toMatchObject({ code: 1, stdout: '', stderr: 'error: path not found: no/such/dir\n' });
    expect(runCli(['audit', cart, '--format', 'xml'])).toMatchObject({ code: 1, stderr: 'error: --format must be one of text, json, sarif, markdown; got "xml"\n' });
    project.write('src/broken.ts', "import { McpServer } from '@modelcontextprotocol/server';\nconst = 1;\n");
    try {
      const run = runCli(['audit', project.dir, '--check']);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('src/broken.ts:2:7  error  parse-error  cannot parse');
      expect(run.stdout).toContain('SL006 P2  db lives for the whole process');
    } finally {
      project.write('src/broken.ts', '');
    }
  });

  it('lists audit in --help', () => {
    expect(runCli(['audit', '--help']).stdout).toContain('--format <format>');
  });
});
