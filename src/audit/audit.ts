/**
 * The audit: discover, pre-filter, group files into projects by relative imports, analyse each project once,
 * run the detectors, classify. `auditFiles` is the in-memory core; `auditProject` adds the disk.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Project, SourceFile } from 'ts-morph';
import { analyzeProject, mayNeedAnalysis } from '../analysis/index.js';
import { groupByImports } from '../engine/components.js';
import { readPathAliases, setPathAliases, type PathAlias } from '../engine/module-paths.js';
import { discoverFiles } from '../engine/discover.js';
import { isClientGroup, isTestPath, splitTests } from '../engine/scope.js';
import { readSources } from '../engine/disk.js';
import { RunError } from '../engine/errors.js';
import { createMemoryProject, projectPath, syntaxErrors } from '../engine/parse.js';
import type { SdkLine } from '../rules/sdk.js';
import { classify, fromCategories } from './classify.js';
import { detectFindings } from './detectors.js';
import { withVerdicts } from './verdict.js';
import type { AuditError, AuditReport, Finding, ProjectAudit } from './types.js';

export interface AuditOptions {
  /** Globs (root-relative) a file must match. */
  include?: readonly string[];
  /** Globs (root-relative) that remove files. */
  exclude?: readonly string[];
  /** Also audit tests, fixtures and MCP client code, reported apart from the server's findings. */
  includeTests?: boolean;
}

/** Audit a project folder (or a single file) on disk. Throws RunError when the path does not exist. */
export async function auditProject(root: string, options: AuditOptions = {}): Promise<AuditReport> {
  const started = performance.now();
  const target = resolve(root);
  if (!existsSync(target)) throw new RunError('missing-path', `path not found: ${root}`);
  const isFile = statSync(target).isFile();
  const base = isFile ? dirname(target) : target;
  const paths = isFile ? [basename(target)] : await discoverFiles(base, options);
  const { texts, diagnostics } = await readSources(base, paths);
  const readErrors: AuditError[] = diagnostics.map((d) => ({ file: d.file, line: 0, column: 0, code: 'read-error', message: d.message }));
  return auditTexts(texts, paths.length, readErrors, started, options.includeTests === true, readPathAliases(base));
}

/** Audit in-memory sources (root-relative path → text): used by tests and to check migrated output. */
export function auditFiles(files: Readonly<Record<string, string>>, options: Pick<AuditOptions, 'includeTests'> = {}): AuditReport {
  return auditTexts(new Map(Object.entries(files)), Object.keys(files).length, [], performance.now(), options.includeTests === true);
}

function auditTexts(texts: ReadonlyMap<string, string>, discovered: number, errors: AuditError[], started: number, includeTests: boolean, aliases: readonly PathAlias[] = []): AuditReport {
  // Server code only: tests and MCP client code would otherwise flip the classification (a test forging
  // Mcp-Session-Id headers is not a gateway). They are grouped apart, never with the server files they import.
  const { tests, rest } = splitTests(texts.keys());
  const serverTexts = new Map(rest.map((path) => [path, texts.get(path) ?? '']));
  // The pre-filter: files without MCP/session vocabulary are parsed only when a matching file imports them.
  const seeds = rest.filter((path) => mayNeedAnalysis(texts.get(path) ?? ''));
  const connected = groupByImports(seeds, serverTexts, aliases);
  const groups = connected.filter((group) => !isClientGroup(group, texts));
  const clientGroups = connected.filter((group) => isClientGroup(group, texts));
  const project = createMemoryProject();
  setPathAliases(project, aliases);
  const findings: Finding[] = [];
  const projects: ProjectAudit[] = [];
  const separate: Finding[] = [];
  if (includeTests) {
    for (const group of clientGroups) separate.push(...analyseGroup(project, group, texts, errors).findings.map((f) => ({ ...f, scope: 'client' as const })));
    const testGroups = groupByImports(tests.filter((path) => mayNeedAnalysis(texts.get(path) ?? '')), texts, aliases);
    for (const group of testGroups) {
      const own = analyseGroup(project, group, texts, errors).findings.filter((f) => isTestPath(f.file));
      separate.push(...own.map((f) => ({ ...f, scope: 'test' as const })));
    }
  }
  for (const group of groups) {
    const result = analyseGroup(project, group, texts, errors);
    if (!result.project) continue;
    // One verdict with migrate: what it fixes today, and the marker text of what it leaves.
    const judged = result.findings.length > 0 ? withVerdicts(result.findings, Object.fromEntries(group.map((path) => [path, texts.get(path) ?? ''])), aliases) : [];
    findings.push(...judged);
    projects.push(result.project);
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  separate.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  return {
    findings,
    separate,
    errors,
    projects,
    classification: fromCategories(projects.flatMap((p) => p.classification.categories)),
    stats: {
      discovered,
      parsed: groups.reduce((sum, g) => sum + g.length, 0),
      projects: groups.length,
      excluded: { tests: tests.length, client: clientGroups.reduce((sum, g) => sum + g.length, 0) },
      durationMs: Math.round(performance.now() - started),
    },
  };
}

/** Parse and analyse one group of connected files; parse and analysis errors are recorded, never thrown. */
function analyseGroup(project: Project, group: readonly string[], texts: ReadonlyMap<string, string>, errors: AuditError[]): { findings: Finding[]; project?: ProjectAudit } {
  const parsed: SourceFile[] = [];
  for (const path of group) {
    const file = project.createSourceFile(projectPath(path), texts.get(path) ?? '', { overwrite: true });
    const problems = syntaxErrors(file);
    if (problems.length === 0) {
      parsed.push(file);
      continue;
    }
    const [first = ''] = problems;
    const [, line = '0', column = '0', message = first] = /^(\d+):(\d+) (.*)$/s.exec(first) ?? [];
    errors.push({ file: path, line: Number(line), column: Number(column), code: 'parse-error', message: `cannot parse: ${message}` });
  }
  try {
    const model = analyzeProject(project, { files: parsed });
    const findings = detectFindings(model);
    return {
      findings,
      project: {
        files: [...group],
        sdk: [...new Set(model.files.map((f) => f.sdk).filter((s): s is SdkLine => s !== undefined))].sort(),
        transports: [...new Set(model.transports.map((t) => t.kind))].sort(),
        tools: [...new Set(model.registrations.filter((r) => r.kind === 'tool').map((r) => r.label))],
        classification: classify(findings),
        findings: findings.length,
      },
    };
  } catch (error) {
    for (const path of group) errors.push({ file: path, line: 0, column: 0, code: 'analysis-error', message: `analysis failed: ${(error as Error).message}` });
    return { findings: [] };
  }
}
