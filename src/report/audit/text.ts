/** Human text: findings grouped by file, then a summary. Colors come from the caller (on only for a TTY). */
import type pc from 'picocolors';
import type { AuditReport, Finding } from '../../audit/types.js';
import { summarizeAudit } from './summary.js';

type Colors = ReturnType<typeof pc.createColors>;

export function toAuditText(report: AuditReport, c: Colors): string {
  const lines: string[] = [];
  findingLines(report.findings, lines, c);
  if (report.separate.length > 0) {
    lines.push(c.bold('In tests and MCP client code') + c.dim(' (not counted in the classification or by --check)'), '');
    findingLines(report.separate, lines, c);
  }
  for (const error of report.errors) {
    const where = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
    lines.push(`${where}  ${c.red('error')}  ${c.dim(error.code)}  ${error.message}`);
  }
  if (report.errors.length > 0) lines.push('');
  const summary = summarizeAudit(report);
  const counts =
    summary.findings === 0
      ? c.green('no session dependence found')
      : `${summary.findings} finding(s) in ${summary.files} file(s): ${[
          summary.bySeverity.error ? c.red(`${summary.bySeverity.error} error(s)`) : '',
          summary.bySeverity.warning ? c.yellow(`${summary.bySeverity.warning} warning(s)`) : '',
          summary.bySeverity.note ? `${summary.bySeverity.note} note(s)` : '',
        ]
          .filter(Boolean)
          .join(', ')}`;
  lines.push(counts);
  const { primary, categories } = report.classification;
  const others = categories.filter((cat) => cat !== primary);
  lines.push(`classification: ${c.bold(primary)}${others.length ? c.dim(` (also ${others.join(', ')})`) : ''}`);
  const automatic = Object.entries(summary.byFixedBy).filter(([id]) => id !== 'manual');
  if (automatic.length > 0) lines.push(`fixable by migrate: ${automatic.map(([id, n]) => `${id} ${n}`).join(', ')}${summary.byFixedBy.manual ? ` · manual: ${summary.byFixedBy.manual}` : ''}`);
  if (report.errors.length > 0) lines.push(c.red(`${report.errors.length} file(s) could not be audited`));
  const { tests, client } = report.stats.excluded;
  const left = [tests ? `${tests} test file(s)` : '', client ? `${client} MCP client file(s)` : ''].filter(Boolean).join(', ');
  const apart = report.separate.length > 0 ? ` · ${report.separate.length} finding(s) in tests and client code` : left ? ` · ${left} left out (--include-tests to audit them)` : '';
  lines.push(c.dim(`${report.stats.discovered} file(s) scanned · ${report.stats.parsed} parsed · ${report.stats.durationMs} ms${apart}`));
  return `${lines.join('\n')}\n`;
}

function findingLines(all: readonly Finding[], lines: string[], c: Colors): void {
  const byFile = new Map<string, Finding[]>();
  for (const finding of all) byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding]);
  for (const [file, findings] of byFile) {
    // A decision covering several findings (a kept transport) is spelled out once, then referred to.
    const firstLine = new Map<string, number>();
    const decided = (f: Finding): string => {
      if (!f.decision) return 'manual';
      const seen = firstLine.get(f.decision);
      if (seen !== undefined) return `manual (the decision at line ${seen})`;
      firstLine.set(f.decision, f.line);
      return `manual: ${f.decision}`;
    };
    lines.push(c.underline(c.bold(file)));
    for (const f of findings) {
      const severity = f.severity === 'error' ? c.red('error  ') : f.severity === 'warning' ? c.yellow('warning') : c.blue('note   ');
      lines.push(`  ${c.dim(`${f.line}:${f.column}`.padEnd(8))} ${severity} ${c.bold(f.rule)} ${c.dim(f.pattern.padEnd(3))} ${f.message}`);
      const facts = [
        f.state ? `state ${c.cyan(f.state)}` : '',
        f.writers.length ? `written by ${f.writers.join(', ')}` : '',
        f.readers.length ? `read by ${f.readers.join(', ')}` : '',
        `fix: ${f.fixedBy === 'manual' ? c.magenta(decided(f)) : c.green(`migrate --transforms ${f.fixedBy}`)}`,
      ].filter(Boolean);
      lines.push(`  ${' '.repeat(8)} ${c.dim(facts.join(' · '))}`);
    }
    lines.push('');
  }
}

