import type { MigrateResult } from '../../engine/migrate.js';
import { unifiedDiff } from '../../engine/diff.js';
import { summarize } from './json.js';
import { typecheckSummary } from './typecheck.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** A migrate report for a pull-request comment: summary, follow-ups, errors, then the diffs folded away. */
export function toMigrateMarkdown(result: MigrateResult): string {
  const summary = summarize(result);
  const lines = [
    '## mcp-sessionless migrate',
    '',
    `${summary.changed} file(s) ${result.written.length > 0 ? 'changed' : 'to change'}, ${summary.todos} follow-up marker(s), ${summary.errors} error(s). ` +
      `${result.stats.discovered} files scanned, ${result.stats.parsed} parsed in ${result.stats.durationMs} ms.`,
    '',
  ];
  const forced = result.typecheck.blocked.some((group) => group.files.some((file) => result.written.includes(file)));
  const gate = typecheckSummary(result.typecheck, { write: result.written.length > 0, forced });
  if (gate) lines.push(`${gate}.`, '');
  if (result.changes.length > 0) {
    lines.push('| file | status | transforms |', '|---|---|---|');
    for (const c of result.changes) lines.push(`| \`${c.path}\` | ${c.before === undefined ? 'added' : 'modified'} | ${c.transforms.join(', ') || 'emitted'} |`);
    lines.push('');
  }
  const notes = result.diagnostics.filter((d) => d.level !== 'info');
  if (notes.length > 0) {
    lines.push('### Follow-ups and errors', '', '| level | rule | where | message |', '|---|---|---|---|');
    for (const d of notes) lines.push(`| ${d.level} | ${d.rule} | \`${d.file}${d.line ? `:${d.line}` : ''}\` | ${escapeCell(d.message)} |`);
    lines.push('');
  }
  for (const c of result.changes) {
    lines.push(`<details><summary><code>${c.path}</code></summary>`, '', '```diff', unifiedDiff(c.path, c.before, c.after).trimEnd(), '```', '', '</details>', '');
  }
  return lines.join('\n');
}
