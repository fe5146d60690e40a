/**
 * A fleet audit: many server projects, one row each, and the tally of the SEP-2567 survey categories over all
 * of them, so a team can read its own version of the SEP's survey table and see what `migrate` would take off
 * its hands.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import type { Classification, SurveyCategory } from '../audit/types.js';
import { RunError } from '../engine/errors.js';
import { measureProject, type MeasureOptions, type MigrateEstimate } from './measure.js';
import { SURVEY_ROWS } from './survey.js';

export interface FleetProject {
  /** The path as given. */
  path: string;
  /** The folder's (or file's) name, for the table. */
  name: string;
  /** `failed`: the project could not be audited at all (missing path, crash); it is left out of the shares. */
  status: 'audited' | 'failed';
  classification: Classification;
  findings: { total: number; error: number; warning: number; note: number };
  migrate: MigrateEstimate;
  /** Files the audit could not read or parse, or why the project could not be audited at all. */
  errors: string[];
}

export interface CategoryShare {
  category: SurveyCategory;
  label: string;
  /** Projects whose primary category this is. */
  count: number;
  share: number;
  /** The SEP survey's share, when it had the category. */
  sepShare?: number;
}

export interface FleetTotals {
  projects: number;
  /** Projects that could be audited (the base of the category shares). */
  audited: number;
  findings: number;
  fixed: number;
  marked: number;
  unmarked: number;
  markers: number;
  /** Share of all findings `migrate` fixes automatically. */
  fixedShare: number;
  /** Projects with any error. */
  failed: number;
}

export interface FleetReport {
  projects: FleetProject[];
  categories: CategoryShare[];
  totals: FleetTotals;
  durationMs: number;
}

export interface FleetOptions extends MeasureOptions {
  onProject?: (done: number, total: number, path: string) => void;
}

export async function auditFleet(paths: readonly string[], options: FleetOptions = {}): Promise<FleetReport> {
  const started = performance.now();
  const projects: FleetProject[] = [];
  for (const [index, path] of paths.entries()) {
    options.onProject?.(index, paths.length, path);
    projects.push(await auditOne(path, options));
  }
  options.onProject?.(paths.length, paths.length, '');
  // Two projects with one folder name (…/a/server, …/b/server) are told apart by the path as given.
  const names = projects.map((p) => p.name);
  for (const project of projects) if (names.indexOf(project.name) !== names.lastIndexOf(project.name)) project.name = project.path;
  return { projects, categories: shares(projects), totals: totalsOf(projects), durationMs: Math.round(performance.now() - started) };
}

async function auditOne(path: string, options: MeasureOptions): Promise<FleetProject> {
  const name = basename(resolve(path));
  if (!existsSync(path)) {
    return failed(path, name, `path not found: ${path}`);
  }
  try {
    const { audit, estimate } = await measureProject(path, options);
    const count = (severity: string) => audit.findings.filter((f) => f.severity === severity).length;
    return {
      path,
      name,
      status: 'audited',
      classification: audit.classification,
      findings: { total: audit.findings.length, error: count('error'), warning: count('warning'), note: count('note') },
      migrate: estimate,
      errors: audit.errors.map((e) => `${e.file}: ${e.message}`),
    };
  } catch (error) {
    return failed(path, name, (error as Error).message);
  }
}

function failed(path: string, name: string, why: string): FleetProject {
  return {
    path,
    name,
    status: 'failed',
    classification: { primary: 'no-session-use', categories: ['no-session-use'] },
    findings: { total: 0, error: 0, warning: 0, note: 0 },
    migrate: { before: 0, fixed: 0, marked: 0, unmarked: 0, markers: 0, changedFiles: 0, errors: 0 },
    errors: [why],
  };
}

/** Every survey category, counted by each audited project's primary category (projects that failed are left out). */
function shares(projects: readonly FleetProject[]): CategoryShare[] {
  const counted = projects.filter((p) => p.status === 'audited');
  return SURVEY_ROWS.map((row) => {
    const count = counted.filter((p) => p.classification.primary === row.category).length;
    return { category: row.category, label: row.label, count, share: counted.length > 0 ? count / counted.length : 0, ...(row.sepShare === undefined ? {} : { sepShare: row.sepShare }) };
  });
}

function totalsOf(projects: readonly FleetProject[]): FleetTotals {
  const sum = (pick: (p: FleetProject) => number) => projects.reduce((n, p) => n + pick(p), 0);
  const findings = sum((p) => p.findings.total);
  const fixed = sum((p) => p.migrate.fixed);
  return {
    projects: projects.length,
    audited: projects.filter((p) => p.status === 'audited').length,
    findings,
    fixed,
    marked: sum((p) => p.migrate.marked),
    unmarked: sum((p) => p.migrate.unmarked),
    markers: sum((p) => p.migrate.markers),
    fixedShare: findings > 0 ? fixed / findings : 0,
    failed: projects.filter((p) => p.errors.length > 0 || p.migrate.errors > 0).length,
  };
}

/**
 * Paths listed in a file, one per line; blank lines and `#` comments are skipped. Relative paths are read
 * from the list's own folder, so a list kept next to the checkouts works from anywhere. `-` reads standard
 * input, with paths relative to the working folder.
 */
export function readPathList(listFile: string): string[] {
  if (listFile !== '-' && !existsSync(listFile)) throw new RunError('missing-path', `path list not found: ${listFile}`);
  const base = listFile === '-' ? process.cwd() : dirname(listFile);
  return readFileSync(listFile === '-' ? 0 : listFile, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => (isAbsolute(line) ? line : resolve(base, line)));
}
