import type { AuditError, AuditReport, AuditStats, Classification, Finding, ProjectAudit } from '../../audit/types.js';
import { summarizeAudit, type AuditSummary } from './summary.js';

/** Bumped whenever a field changes meaning or goes away; adding fields keeps the version (docs/audit-json-schema.md). */
export const AUDIT_REPORT_SCHEMA_VERSION = 1;

/** The stable JSON report of an audit run, documented in docs/audit-json-schema.md. */
export interface AuditJsonReport {
  schemaVersion: typeof AUDIT_REPORT_SCHEMA_VERSION;
  tool: { name: 'mcp-sessionless'; version: string };
  /** The audited path as given on the command line (or `.` for in-memory audits). */
  root: string;
  classification: Classification;
  summary: AuditSummary;
  findings: Finding[];
  /** Findings in tests and MCP client code (`--include-tests`), apart from the server's. */
  separate: Finding[];
  errors: AuditError[];
  projects: ProjectAudit[];
  stats: AuditStats;
}

export function toAuditJson(report: AuditReport, options: { version: string; root: string }): AuditJsonReport {
  return {
    schemaVersion: AUDIT_REPORT_SCHEMA_VERSION,
    tool: { name: 'mcp-sessionless', version: options.version },
    root: options.root,
    classification: report.classification,
    summary: summarizeAudit(report),
    findings: report.findings,
    separate: report.separate,
    errors: report.errors,
    projects: report.projects,
    stats: report.stats,
  };
}
