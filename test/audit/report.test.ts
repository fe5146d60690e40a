import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { auditFiles, type AuditReport } from '../../src/audit/index.js';
import { AUDIT_REPORT_SCHEMA_VERSION, toAuditJson, toAuditMarkdown, toAuditText, toSarif } from '../../src/report/audit/index.js';
import { RULES } from '../../src/rules/rules.js';
import { FIXTURES_ROOT, REPO_ROOT } from '../helpers/fixtures.js';
import { readFixture } from './fixture-files.js';
import { sarifProblems } from './sarif-check.js';

const fixture = (name: string) => readFixture(join(FIXTURES_ROOT, 'audit', name));

// One report with many kinds of finding, one clean report, one with a parse error.
const busy = auditFiles({ ...fixture('p1-v1-preferences-js'), ...prefix('sub/', fixture('p4-v1-login-gate')) });
const clean = auditFiles(fixture('negative-pure-tools-js'));
const broken = auditFiles({ 'bad.ts': "import { McpServer } from '@modelcontextprotocol/server';\nconst x = ;\n", ...fixture('p2-v2-postgres-js') });

function prefix(dir: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [`${dir}${path}`, text]));
}

describe('audit report model', () => {
  it('keeps projects apart and classifies each, and the whole tree', () => {
    expect(busy.projects.map((p) => [p.files, p.classification.primary])).toEqual([
      [['server.js'], 'session-keyed-app-state'],
      [['sub/index.ts'], 'process-lifetime-state'],
    ]);
    expect(busy.classification).toEqual({ primary: 'session-keyed-app-state', categories: ['session-keyed-app-state', 'process-lifetime-state', 'routing-map-only'] });
    expect(clean.classification).toEqual({ primary: 'no-session-use', categories: ['no-session-use'] });
  });

  it('reports a file that does not parse and audits the rest', () => {
    expect(broken.errors).toEqual([expect.objectContaining({ file: 'bad.ts', line: 2, code: 'parse-error' })]);
    expect(broken.findings.map((f) => f.state)).toEqual(['client', 'connectedTo']);
  });
});

describe('json format', () => {
  it('has a schema version, the tool, a summary, and every finding field', () => {
    const json = toAuditJson(busy, { version: '9.9.9', root: 'project' });
    expect(json).toMatchObject({ schemaVersion: AUDIT_REPORT_SCHEMA_VERSION, tool: { name: 'mcp-sessionless', version: '9.9.9' }, root: 'project' });
    expect(json.summary.findings).toBe(busy.findings.length);
    expect(json.summary.byRule).toEqual({ SL001: 4, SL002: 3, SL003: 1, SL004: 7 });
    for (const finding of json.findings) {
      expect(Object.keys(finding).sort()).toEqual(
        expect.arrayContaining(['category', 'column', 'file', 'fixedBy', 'kind', 'line', 'message', 'pattern', 'readers', 'rule', 'severity', 'writers']),
      );
    }
  });

  it('is documented: every field the report carries appears in docs/audit-json-schema.md', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'audit-json-schema.md'), 'utf8');
    const json = toAuditJson(busy, { version: '1.0.0', root: '.' });
    const fields = new Set<string>([
      ...Object.keys(json),
      ...Object.keys(json.summary),
      ...Object.keys(json.stats),
      ...Object.keys(json.classification),
      ...json.findings.flatMap((f) => Object.keys(f)),
      ...json.projects.flatMap((p) => Object.keys(p)),
      ...Object.keys(toAuditJson(broken, { version: '1.0.0', root: '.' }).errors[0] ?? {}),
    ]);
    for (const field of fields) expect(doc, field).toContain(`\`${field}\``);
    for (const id of Object.keys(RULES)) expect(doc).toContain(id);
  });
});

describe('sarif format', () => {
  it('is structurally valid SARIF 2.1.0 for GitHub code scanning', () => {
    for (const report of [busy, clean, broken]) expect(sarifProblems(toSarif(report, { version: '1.0.0' }))).toEqual([]);
  });

  it('lists every rule with help, and points each result at its rule and a relative artifact', () => {
    const log = toSarif(busy, { version: '1.0.0' });
    const run = log.runs[0];
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual(Object.keys(RULES));
    expect(run?.tool.driver.rules.every((r) => r.help.text.length > 20 && r.fullDescription.text === RULES[r.id].help)).toBe(true);
    expect(run?.results).toHaveLength(busy.findings.length);
    expect(run?.artifacts.map((a) => a.location.uri)).toEqual(['server.js', 'sub/index.ts']);
    const first = run?.results[0];
    // A CommonJS module cannot import the ESM handle store: migrate leaves `preferences` to a person, so the audit says so.
    expect(first).toMatchObject({ ruleId: 'SL003', level: 'error', properties: { pattern: 'P1', state: 'preferences', fixedBy: 'manual' } });
    expect(first?.locations[0]?.physicalLocation.region).toEqual({ startLine: 8, startColumn: 7 });
  });

  it('reports files it could not audit as failed executions', () => {
    const run = toSarif(broken, { version: '1.0.0' }).runs[0];
    expect(run?.invocations[0]?.executionSuccessful).toBe(false);
    expect(run?.invocations[0]?.toolExecutionNotifications[0]?.message.text).toMatch(/^parse-error: cannot parse/);
  });

  it('catches what it is meant to catch', () => {
    const log = toSarif(busy, { version: '1.0.0' });
    const tampered = structuredClone(log);
    const result = tampered.runs[0]?.results[0];
    if (!result) throw new Error('no result');
    result.ruleIndex = 5;
    (result.locations[0] as { physicalLocation: { region: { startLine: number }; artifactLocation: { uri: string } } }).physicalLocation.region.startLine = 0;
    (result.locations[0] as { physicalLocation: { artifactLocation: { uri: string } } }).physicalLocation.artifactLocation.uri = 'file:///abs/server.js';
    expect(sarifProblems(tampered)).toEqual([
      'results[0]: ruleIndex 5 does not point at SL003',
      'results[0]: uri file:///abs/server.js is not relative',
      'results[0]: artifact index 0 does not match file:///abs/server.js',
      'results[0]: region.startLine must be >= 1',
    ]);
  });
});

describe('text format', () => {
  const plain = pc.createColors(false);
  it('groups findings by file, then summarizes, without color codes when colors are off', () => {
    const text = toAuditText(busy, plain);
    expect(text).not.toMatch(/\x1b\[/);
    const lines = text.split('\n');
    expect(lines[0]).toBe('server.js');
    expect(lines).toContain('sub/index.ts');
    expect(text).toContain('  8:7      error   SL003 P1  preferences is keyed by the session id');
    expect(text).toContain('state preferences · written by set_preference · read by set_preference, get_preferences · fix: manual');
    expect(text).toContain(`${busy.findings.length} finding(s) in 2 file(s)`);
    expect(text).toContain('classification: session-keyed-app-state (also process-lifetime-state, routing-map-only)');
  });

  it('colors severities when asked to', () => {
    expect(toAuditText(busy, pc.createColors(true))).toMatch(/\x1b\[31merror/);
  });

  it('says so when nothing is found, and names files it could not audit', () => {
    expect(toAuditText(clean, plain)).toContain('no session dependence found');
    expect(toAuditText(broken, plain)).toContain('bad.ts:2:11  error  parse-error  cannot parse');
  });
});

describe('markdown format', () => {
  it('renders a PR comment with a rule summary and a findings table', () => {
    const md = toAuditMarkdown(busy);
    expect(md).toMatch(/^## MCP sessionless audit\n/);
    expect(md).toContain('| SL004 | Static list endpoints | 7 |');
    expect(md).toContain('| `server.js:8:7` | SL003 | P1 session-keyed state | `preferences` |');
    expect(md.split('\n').filter((l) => l.startsWith('| `')).length).toBe(busy.findings.length);
  });

  it('escapes pipes inside cells so rows stay intact', () => {
    const report: AuditReport = { ...busy, findings: [{ ...(busy.findings[0] as AuditReport['findings'][number]), message: 'a | b' }] };
    expect(toAuditMarkdown(report)).toContain('a \\| b');
  });

  it('has a short clean message', () => {
    expect(toAuditMarkdown(clean)).toContain('No session dependence found');
  });
});
