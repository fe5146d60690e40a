/** The fleet summary for a terminal: a row per project, the totals, then the survey table. */
import type pc from 'picocolors';
import type { FleetReport } from '../../fleet/fleet.js';
import { percent, projectCells, shareCells } from './columns.js';

type Colors = ReturnType<typeof pc.createColors>;

export function toFleetText(report: FleetReport, c: Colors): string {
  const header = ['project', 'category', 'findings', 'fixed by migrate', 'under a marker', 'unmarked'];
  const rows = report.projects.map(projectCells);
  const table = [header, ...rows.map((r) => [r.project, r.category, r.findings, r.fixed, r.marked, r.unmarked])];
  const [head = '', ...body] = layout(table);
  const lines = [c.bold(head)];
  rows.forEach((row, index) => {
    lines.push(body[index] ?? '');
    // Secondary categories and errors go under the row, so the table stays narrow.
    const extra = [row.also && `also ${row.also}`, row.note && c.red(row.note)].filter(Boolean).join(' · ');
    if (extra) lines.push(`  ${c.dim('↳')} ${extra}`);
  });
  const t = report.totals;
  lines.push(
    '',
    `${t.projects} project(s)${t.audited < t.projects ? ` (${t.projects - t.audited} not audited)` : ''} · ${t.findings} finding(s) · migrate fixes ${t.fixed} automatically (${percent(t.fixedShare)}) · ${t.marked} left under a marker · ${t.unmarked} unmarked · ${t.markers} marker(s) inserted`,
    '',
  );
  const survey = [['category', 'projects', 'share', 'SEP-2567 survey'], ...report.categories.map((row) => Object.values(shareCells(row)))];
  lines.push(...layout(survey, [false, true, true, true]).map((line, index) => (index === 0 ? c.bold(line) : line)));
  lines.push(c.dim(`shares by each project's primary category, over ${t.audited} audited project(s) · ${report.durationMs} ms`));
  return `${lines.join('\n')}\n`;
}

/** Columns padded to their widest cell; numbers right-aligned where asked. */
function layout(rows: readonly (readonly string[])[], right: readonly boolean[] = []): string[] {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  return rows.map((row) => row.map((cell, col) => (right[col] ? cell.padStart(widths[col] ?? 0) : cell.padEnd(widths[col] ?? 0))).join('  ').trimEnd());
}
