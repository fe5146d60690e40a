/** Markdown for a pull-request comment: classification, counts by rule, and a findings table per file. */
import type { AuditReport } from '../../audit/types.js';
import { RULES, PATTERNS, type RuleId } from '../../rules/rules.js';
import { summarizeAudit } from './summary.js';

/** Past this many findings the table folds into a <details> block so the comment stays readable. */
const FOLD_AFTER = 30;

export function toAuditMarkdown(report: AuditReport): string {
  const summary = summarizeAudit(report);
  const out: string[] = ['## MCP sessionless audit', ''];
  if (summary.findings === 0) {
    out.push('No session dependence found: this server is ready for MCP 2026-07-28 (sessionless).', '');
  } else {
    out.push(
      `**${summary.findings}** finding(s) in **${summary.files}** file(s) · classification: \`${report.classification.primary}\`` +
        (report.classification.categories.length > 1 ? ` (also ${report.classification.categories.slice(1).map((c) => `\`${c}\``).join(', ')})` : ''),
      '',
      '| Rule | Title | Findings |',
      '| --- | --- | ---: |',
      ...Object.entries(summary.byRule).map(([rule, n]) => `| ${rule} | ${escape(RULES[rule as RuleId].title)} | ${n} |`),
      '',
    );
    const table = [
      '| Location | Rule | Pattern | State | Finding | Fix |',
      '| --- | --- | --- | --- | --- | --- |',
      ...report.findings.map(
        (f) =>
          `| \`${escape(f.file)}:${f.line}:${f.column}\` | ${f.rule} | ${f.pattern} ${escape(PATTERNS[f.pattern])} | ${f.state ? `\`${escape(f.state)}\`` : ''} | ${escape(f.message)} | ${f.fixedBy === 'manual' ? 'manual' : `\`${f.fixedBy}\``} |`,
      ),
    ];
    if (report.findings.length > FOLD_AFTER) out.push('<details><summary>All findings</summary>', '', ...table, '', '</details>', '');
    else out.push(...table, '');
    const automatic = Object.entries(summary.byFixedBy).filter(([id]) => id !== 'manual');
    if (automatic.length > 0) {
      out.push(`\`npx mcp-sessionless migrate\` fixes ${automatic.reduce((n, [, k]) => n + k, 0)} of these (${automatic.map(([id, n]) => `${id}: ${n}`).join(', ')}); ${summary.byFixedBy.manual ?? 0} need a person.`, '');
    }
  }
  if (report.errors.length > 0) {
    out.push(`**${report.errors.length} file(s) could not be audited:**`, '', ...report.errors.map((e) => `- \`${escape(e.file)}\`: ${escape(e.message)}`), '');
  }
  out.push(`<sub>${report.stats.discovered} file(s) scanned, ${report.stats.parsed} parsed in ${report.stats.durationMs} ms.</sub>`, '');
  return out.join('\n');
}

/** Keep table cells intact: pipes and newlines would break the row. */
function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
