/**
 * How much of one project `migrate` would fix: audit it, migrate it in memory (a dry run: nothing is written),
 * audit the migrated tree, and compare. A finding the second audit no longer reports was fixed; one it still
 * reports sits under a marker for a person (or, if not, is counted apart so the gap shows).
 */
import { decisionMarked, planDecisions } from '../audit/decisions.js';
import { basename, dirname, resolve } from 'node:path';
import { statSync } from 'node:fs';
import { auditFiles } from '../audit/audit.js';
import type { AuditReport } from '../audit/types.js';
import { discoverFiles } from '../engine/discover.js';
import { readSources } from '../engine/disk.js';
import { migrate } from '../migrate.js';
import { TODO_MARKER } from '../rules/rules.js';

export interface MigrateEstimate {
  /** Findings of the audit before migration. */
  before: number;
  /** Findings the migrated tree no longer has. */
  fixed: number;
  /** Findings left, each under a marker comment. */
  marked: number;
  /** Findings left without a marker near them. */
  unmarked: number;
  /** Marker comments the migration inserts. */
  markers: number;
  /** Files the migration changes or creates. */
  changedFiles: number;
  /** Files the migration could not transform. */
  errors: number;
}

export interface ProjectMeasure {
  audit: AuditReport;
  estimate: MigrateEstimate;
}

export interface MeasureOptions {
  include?: readonly string[];
  exclude?: readonly string[];
}

export async function measureProject(path: string, options: MeasureOptions = {}): Promise<ProjectMeasure> {
  const target = resolve(path);
  const isFile = statSync(target).isFile();
  const root = isFile ? dirname(target) : target;
  const paths = isFile ? [basename(target)] : await discoverFiles(root, options);
  const { texts, diagnostics: readErrors } = await readSources(root, paths);
  const files = Object.fromEntries(texts);
  const audit = auditFiles(files);
  audit.errors.push(...readErrors.map((d) => ({ file: d.file, line: 0, column: 0, code: 'read-error' as const, message: d.message })));
  audit.stats.discovered = paths.length;

  const run = await migrate({ path, include: options.include, exclude: options.exclude, format: false, typecheck: false });
  const migrated: Record<string, string> = { ...files };
  for (const change of run.changes) migrated[change.path] = change.after;
  const left = run.changes.length > 0 ? auditFiles(migrated).findings : audit.findings;
  // One marker per decision: a finding is covered when its decision's marker is there.
  const marked = planDecisions(left).filter((decision) => decisionMarked(migrated, decision)).reduce((n, d) => n + d.covers.length, 0);
  return {
    audit,
    estimate: {
      before: audit.findings.length,
      fixed: Math.max(0, audit.findings.length - left.length),
      marked,
      unmarked: left.length - marked,
      markers: run.diagnostics.filter((d) => d.message.startsWith(TODO_MARKER)).length,
      changedFiles: run.changes.length,
      errors: run.diagnostics.filter((d) => d.level === 'error').length,
    },
  };
}
