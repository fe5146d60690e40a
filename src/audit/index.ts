/** The audit library API: find every place a server depends on sessions, connections or process-lifetime state. */
export { auditProject, auditFiles, type AuditOptions } from './audit.js';
export { detectFindings } from './detectors.js';
export { classify, fromCategories } from './classify.js';
export { CATALOG, type CatalogEntry } from './catalog.js';
export { TRANSPORT_KINDS } from './decisions.js';
export {
  CATEGORY_PRECEDENCE,
  type AuditError,
  type AuditReport,
  type AuditStats,
  type Classification,
  type Finding,
  type FindingKind,
  type FixedBy,
  type ProjectAudit,
  type SurveyCategory,
} from './types.js';
