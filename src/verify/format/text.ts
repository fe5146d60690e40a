import { VERIFY_CHECKS } from '../checks.js';
import { failures, type CheckOutcome, type VerifyReport } from '../types.js';

export interface TextColors {
  red(text: string): string;
  yellow(text: string): string;
  green(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const PLAIN: TextColors = { red: String, yellow: String, green: String, dim: String, bold: String };

/** The report a person reads: failures first with what to do, then a count per check. */
export function toVerifyText(report: VerifyReport, c: TextColors = PLAIN): string {
  const lines: string[] = [];
  const spoke = report.protocolVersion ? `spoke ${report.protocolVersion}${report.era ? ` (${report.era} era)` : ''}` : 'protocol version unknown';
  lines.push(`${c.bold(report.target)}  ${c.dim(spoke)}`);
  for (const outcome of report.outcomes.filter((o) => o.status === 'fail')) lines.push(formatOutcome(outcome, c));
  const counts = new Map<string, { pass: number; fail: number; skip: number }>();
  for (const outcome of report.outcomes) {
    const entry = counts.get(outcome.check) ?? { pass: 0, fail: 0, skip: 0 };
    entry[outcome.status]++;
    counts.set(outcome.check, entry);
  }
  lines.push('');
  for (const [check, count] of counts) {
    const mark = count.fail > 0 ? c.red('✗') : count.pass > 0 ? c.green('✓') : c.dim('–');
    const skipped = count.skip > 0 ? c.dim(` (${count.skip} skipped)`) : '';
    lines.push(`${mark} ${VERIFY_CHECKS[check as keyof typeof VERIFY_CHECKS].title}: ${count.pass} passed, ${count.fail} failed${skipped}`);
  }
  const errors = failures(report, 'error').length;
  const warnings = failures(report, 'warning').length;
  lines.push(`${errors} error(s), ${warnings} warning(s) · ${report.calls.length} tool call(s) · ${Math.round(report.durationMs)} ms`);
  return `${lines.join('\n')}\n`;
}

function formatOutcome(outcome: CheckOutcome, c: TextColors): string {
  const level = outcome.level === 'error' ? c.red('error') : c.yellow('warning');
  const rule = VERIFY_CHECKS[outcome.check].rule;
  return `${level}  ${c.dim(rule ? `${rule} ${outcome.check}` : outcome.check)}  ${outcome.subject}: ${outcome.message ?? ''}`;
}
