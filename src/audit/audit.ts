/**
 * The audit: discover, pre-filter, group files into projects by relative imports, analyse each project once,
 * run the detectors, classify. `auditFiles` is the in-memory core; `auditProject` adds the disk.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { SourceFile } from 'ts-morph';
import { analyzeProject, mayNeedAnalysis } from '../analysis/index.js';
import { groupByImports } from '../engine/components.js';
import { discoverFiles } from '../engine/discover.js';
import { readSources } from '../engine/disk.js';
import { RunError } from '../engine/errors.js';
import { createMemoryProject, projectPath, syntaxErrors } from '../engine/parse.js';
import type { SdkLine } from '../rules/sdk.js';
import { classify, fromCategories } from './classify.js';
import { detectFindings } from './detectors.js';
import type { AuditError, AuditReport, Finding, ProjectAudit } from './types.js';

export interface AuditOptions {
  /** Globs (root-relative) a file must match. */
  include?: readonly string[];
  /** Globs (root-relative) that remove files. */
  exclude?: readonly string[];
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
  return auditTexts(texts, paths.length, readErrors, started);
}

/** Audit in-memory sources (root-relative path → text): used by tests and to check migrated output. */
export function auditFiles(files: Readonly<Record<string, string>>): AuditReport {
  return auditTexts(new Map(Object.entries(files)), Object.keys(files).length, [], performance.now());
}

function auditTexts(texts: ReadonlyMap<string, string>, discovered: number, errors: AuditError[], started: number): AuditReport {
  // The pre-filter: files without MCP/session vocabulary are parsed only when a matching file imports them.
  const seeds = [...texts.keys()].filter((path) => mayNeedAnalysis(texts.get(path) ?? ''));
  const groups = groupByImports(seeds, texts);
  const project = createMemoryProject();
  const findings: Finding[] = [];
  const projects: ProjectAudit[] = [];
  for (const group of groups) {
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
      const own = detectFindings(model);
      findings.push(...own);
      projects.push({
        files: group,
        sdk: [...new Set(model.files.map((f) => f.sdk).filter((s): s is SdkLine => s !== undefined))].sort(),
        transports: [...new Set(model.transports.map((t) => t.kind))].sort(),
        tools: [...new Set(model.registrations.filter((r) => r.kind === 'tool').map((r) => r.label))],
        classification: classify(own),
        findings: own.length,
      });
    } catch (error) {
      for (const path of group) errors.push({ file: path, line: 0, column: 0, code: 'analysis-error', message: `analysis failed: ${(error as Error).message}` });
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return {
    findings,
    errors,
    projects,
    classification: fromCategories(projects.flatMap((p) => p.classification.categories)),
    stats: {
      discovered,
      parsed: groups.reduce((sum, g) => sum + g.length, 0),
      projects: groups.length,
      durationMs: Math.round(performance.now() - started),
    },
  };
}
