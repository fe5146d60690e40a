/**
 * The precision corpus (test/fixtures/precision/<case>/): servers whose code says "session" without using the
 * MCP session — cloud-browser sessions passed as tool arguments, recording sessions, OAuth "authorization
 * session expired" messages —, tools registered by start-up helpers across modules, tests that forge
 * Mcp-Session-Id headers, MCP client modules, servers that already use explicit handles, and state a server keeps
 * for the whole process on purpose whatever its name (a memoised one-time lookup, an install id read once, id
 * counters, a call log kept in a file, a flag set from every call's request, a lazily opened database that
 * resources/list reads, resources registered by a start-up helper, settings whose `transport` field names the
 * transport to start, an object a tool call makes for itself and drops, a decoder any function makes for one buffer, a flag set-up code sets once), and a client written by hand over fetch
 * that keeps the session id a server hands out. Through the real
 * CLI, each must give no finding, no marker and no pending change: `audit --check` and `migrate --check` both
 * exit 0. With --include-tests, what sits in tests and client code is reported apart and never classifies the
 * project.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { FIXTURES_ROOT } from '../helpers/fixtures.js';

const ROOT = join(FIXTURES_ROOT, 'precision');
const cases = readdirSync(ROOT).filter((name) => statSync(join(ROOT, name)).isDirectory()).sort();

interface AuditJson {
  findings: Array<{ rule: string; file: string; line: number; message: string }>;
  separate: Array<{ file: string; scope: string }>;
  classification: { primary: string };
  stats: { excluded: { tests: number; client: number } };
}

describe('precision corpus', () => {
  it('has the cases the corpus is about', () => {
    expect(cases).toEqual(
      expect.arrayContaining([
        'already-sessionless-v2',
        'browser-sessions-v1',
        'client-modules-v2',
        'explicit-handles-v1',
        'oauth-expired-v1',
        'recording-sessions-v2',
        'startup-registration-v2',
        'tests-forge-headers-v1',
        'memoised-checks-v1',
        'id-counters-v2',
        'persisted-history-v1',
        'per-call-flags-v1',
        'lazy-db-promise-v1',
        'startup-resources-v1',
        'hand-written-client-js',
        'settings-and-per-call-objects-v1',
      ]),
    );
  });

  it.each(cases)('%s: no finding, no marker, audit --check and migrate --check exit 0', (name) => {
    const dir = join(ROOT, name);
    const audit = runCli(['audit', dir, '--format', 'json', '--check']);
    const report = JSON.parse(audit.stdout) as AuditJson;
    expect(report.findings.map((f) => `${f.rule} ${f.file}:${f.line} ${f.message}`)).toEqual([]);
    expect(report.classification.primary).toBe('no-session-use');
    expect(audit.code).toBe(0);

    const migrate = runCli(['migrate', dir, '--check', '--no-format']);
    expect(migrate.stdout).toBe('');
    expect(migrate.stderr).not.toContain('@mcp-sessionless-todo');
    expect(migrate.stderr).toMatch(/^0 file\(s\) would change/m);
    expect(migrate.code).toBe(0);
  });

  it('reports forged session headers in tests apart with --include-tests, without changing the classification', () => {
    const audit = runCli(['audit', join(ROOT, 'tests-forge-headers-v1'), '--format', 'json', '--check', '--include-tests']);
    const report = JSON.parse(audit.stdout) as AuditJson;
    expect(report.findings).toEqual([]);
    expect(report.classification.primary).toBe('no-session-use');
    expect(report.separate.length).toBeGreaterThan(0);
    expect(new Set(report.separate.map((f) => f.scope))).toEqual(new Set(['test']));
    expect(report.separate.map((f) => f.file).every((file) => /^(?:test|e2e|src\/__tests__)\//.test(file))).toBe(true);
    expect(audit.code).toBe(0);
  });

  it('says what it left out, and audits MCP client code apart with --include-tests', () => {
    const dir = join(ROOT, 'client-modules-v2');
    const plain = runCli(['audit', dir]);
    expect(plain.stdout).toContain('2 MCP client file(s) left out (--include-tests to audit them)');
    const report = JSON.parse(runCli(['audit', dir, '--format', 'json', '--include-tests']).stdout) as AuditJson;
    expect(report.stats.excluded).toEqual({ tests: 0, client: 2 });
    expect(report.findings).toEqual([]);
    expect(report.separate.every((f) => f.scope === 'client')).toBe(true);
  });
});
