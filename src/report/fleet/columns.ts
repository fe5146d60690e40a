import type { CategoryShare, FleetProject } from '../../fleet/fleet.js';

/** One project's row, as plain cells every format lays out its own way. */
export interface ProjectCells {
  project: string;
  category: string;
  also: string;
  findings: string;
  fixed: string;
  marked: string;
  unmarked: string;
  note: string;
}

export function projectCells(project: FleetProject): ProjectCells {
  const { findings, migrate } = project;
  const severities = [findings.error && `${findings.error} error`, findings.warning && `${findings.warning} warning`, findings.note && `${findings.note} note`].filter(Boolean);
  return {
    project: project.name,
    category: project.status === 'failed' ? 'not audited' : project.classification.primary,
    also: project.classification.categories.filter((c) => c !== project.classification.primary).join(', '),
    findings: project.status === 'failed' ? '–' : `${findings.total}${severities.length ? ` (${severities.join(', ')})` : ''}`,
    fixed: project.status === 'failed' || migrate.before === 0 ? '–' : `${migrate.fixed} (${percent(migrate.fixed / migrate.before)})`,
    marked: project.status === 'failed' ? '–' : String(migrate.marked),
    unmarked: project.status === 'failed' ? '–' : String(migrate.unmarked),
    note: [...project.errors.slice(0, 1), migrate.errors > 0 ? `${migrate.errors} file(s) migrate could not transform` : ''].filter(Boolean).join('; '),
  };
}

export function shareCells(row: CategoryShare): { category: string; count: string; share: string; sep: string } {
  return { category: row.label, count: String(row.count), share: percent(row.share), sep: row.sepShare === undefined ? '–' : percent(row.sepShare) };
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
