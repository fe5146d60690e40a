export { toAuditText } from './text.js';
export { toAuditJson, AUDIT_REPORT_SCHEMA_VERSION, type AuditJsonReport } from './json.js';
export { toSarif, SARIF_SCHEMA, type SarifLog, type SarifResult, type SarifRule } from './sarif.js';
export { toAuditMarkdown } from './markdown.js';
export { summarizeAudit, type AuditSummary } from './summary.js';
