import { VERIFY_CHECKS } from '../checks.js';
import { failures, type VerifyReport } from '../types.js';

export const VERIFY_REPORT_SCHEMA_VERSION = 1;

export interface VerifyJsonReport {
  schemaVersion: number;
  tool: { name: 'mcp-sessionless'; version: string };
  target: string;
  protocolVersion: string | null;
  era: string | null;
  summary: { errors: number; warnings: number; passed: number; skipped: number; toolCalls: number; durationMs: number };
  outcomes: Array<{ check: string; rule: string | null; subject: string; status: string; level: string; message: string | null }>;
  calls: VerifyReport['calls'];
}

export function toVerifyJson(report: VerifyReport, options: { version: string }): VerifyJsonReport {
  return {
    schemaVersion: VERIFY_REPORT_SCHEMA_VERSION,
    tool: { name: 'mcp-sessionless', version: options.version },
    target: report.target,
    protocolVersion: report.protocolVersion ?? null,
    era: report.era ?? null,
    summary: {
      errors: failures(report, 'error').length,
      warnings: failures(report, 'warning').length,
      passed: report.outcomes.filter((o) => o.status === 'pass').length,
      skipped: report.outcomes.filter((o) => o.status === 'skip').length,
      toolCalls: report.calls.length,
      durationMs: Math.round(report.durationMs),
    },
    outcomes: report.outcomes.map((o) => ({ check: o.check, rule: VERIFY_CHECKS[o.check].rule ?? null, subject: o.subject, status: o.status, level: o.level, message: o.message ?? null })),
    calls: report.calls,
  };
}
