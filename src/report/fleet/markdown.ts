/** The fleet summary as markdown: the projects table, totals, and the survey table in the SEP's shape. */
import type { FleetReport } from '../../fleet/fleet.js';
import { percent, projectCells, shareCells } from './columns.js';

export function toFleetMarkdown(report: FleetReport): string {
  const t = report.totals;
  const out = [
    '## MCP sessionless fleet audit',
    '',
    '| Project | Category | Also | Findings | Fixed by `migrate` | Under a marker | Unmarked |',
    '| --- | --- | --- | ---: | ---: | ---: | ---: |',
    ...report.projects.map(projectCells).map((r) => `| ${cell(r.project)}${r.note ? ` ⚠ ${cell(r.note)}` : ''} | \`${r.category}\` | ${r.also ? r.also.split(', ').map((a) => `\`${a}\``).join(', ') : ''} | ${r.findings} | ${r.fixed} | ${r.marked} | ${r.unmarked} |`),
    '',
    `**${t.projects}** project(s), **${t.findings}** finding(s); \`migrate\` fixes **${t.fixed}** automatically (${percent(t.fixedShare)}), ${t.marked} are left under a marker, ${t.unmarked} unmarked.`,
    '',
    '| Category | Projects | Share | SEP-2567 survey |',
    '| --- | ---: | ---: | ---: |',
    ...report.categories.map(shareCells).map((r) => `| ${r.category} | ${r.count} | ${r.share} | ${r.sep} |`),
    '',
    `<sub>Shares by each project's primary category, over ${t.audited} audited project(s). The SEP column is its survey of 1,000 open-source servers; it did not count process-lifetime state.</sub>`,
    '',
  ];
  return out.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
