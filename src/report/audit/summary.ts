import type { AuditReport } from '../../audit/types.js';
import type { PatternId, RuleId } from '../../rules/rules.js';

/** Counts every format shows. */
export interface AuditSummary {
  findings: number;
  errors: number;
  files: number;
  bySeverity: Record<'error' | 'warning' | 'note', number>;
  byRule: Partial<Record<RuleId, number>>;
  byPattern: Partial<Record<PatternId, number>>;
  /** By fixing transform id, or `manual`. */
  byFixedBy: Record<string, number>;
}

export function summarizeAudit(report: AuditReport): AuditSummary {
  const count = <K extends string>(keys: readonly K[]) => {
    const out: Partial<Record<K, number>> = {};
    for (const key of keys) out[key] = (out[key] ?? 0) + 1;
    return out;
  };
  const sorted = <T extends Record<string, number | undefined>>(record: T): T =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b))) as T;
  return {
    findings: report.findings.length,
    errors: report.errors.length,
    files: new Set(report.findings.map((f) => f.file)).size,
    bySeverity: {
      error: report.findings.filter((f) => f.severity === 'error').length,
      warning: report.findings.filter((f) => f.severity === 'warning').length,
      note: report.findings.filter((f) => f.severity === 'note').length,
    },
    byRule: sorted(count(report.findings.map((f) => f.rule))),
    byPattern: sorted(count(report.findings.map((f) => f.pattern))),
    byFixedBy: sorted(count(report.findings.map((f) => f.fixedBy))) as Record<string, number>,
  };
}
