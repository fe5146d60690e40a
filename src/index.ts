/**
 * mcp-sessionless as a library: audit and migrate MCP servers to sessionless MCP (protocol 2026-07-28).
 * The CLI is a thin layer over these exports.
 */
export { migrate, type MigrateOptions } from './migrate.js';
export type { MigrateResult, MigrateStats, MigrateProgress } from './engine/migrate.js';
export type { TransformRegistry } from './engine/registry.js';
export { transformFiles, type FileMap, type TransformFilesOptions, type TransformFilesResult } from './engine/run-transforms.js';
export {
  runTypecheckGate,
  introducedErrors,
  type TypecheckGateResult,
  type TypecheckGateInput,
  type TypecheckedProject,
  type TypeErrorReport,
  type BlockedGroup,
  type UncheckedGroup,
} from './engine/typecheck-gate.js';
export { readProjectFacts, lowestRelease, type ProjectFacts } from './engine/project-facts.js';
export { SDK_FEATURES, supportsFeature, type SdkFeature, type SdkPackage, type SdkVersionFact } from './rules/sdk-features.js';
export { discoverFiles, type DiscoverOptions } from './engine/discover.js';
export { unifiedDiff, patchOf } from './engine/diff.js';
export { RunError, type RunErrorCode } from './engine/errors.js';
export type { Diagnostic, DiagnosticLevel, EngineCode } from './engine/diagnostics.js';
export type { Transform, TransformContext, TransformOption, OptionValues } from './engine/transform.js';
export type { FileChange } from './engine/vfs.js';
export { RULES, PATTERNS, TODO_MARKER, type RuleId, type PatternId, type Rule } from './rules/rules.js';
export { TRANSFORMS, BUILT_IN_REGISTRY, getTransform, selectTransforms } from '../transforms/index.js';
export { toMigrateJson, MIGRATE_REPORT_SCHEMA_VERSION, type MigrateJsonReport } from './report/migrate/json.js';
export { toMigrateMarkdown } from './report/migrate/markdown.js';
export { packageVersion } from './version.js';
export {
  renderHandleStore,
  HANDLE_STORE_DEFAULT_PATH,
  handleStoreDefaultPath,
  type HandleStoreRenderOptions,
} from './templates/handle-store.js';
export { renderTemplate, renderTemplateDirectory } from './templates/render.js';
export {
  renderNewProject,
  planNewProject,
  planAddHandle,
  findHandleStore,
  resolveAnswers,
  NEW_QUESTIONS,
  ScaffoldError,
  type NewProjectOptions,
  type AddHandlePlan,
  type FamilySpec,
} from './scaffold/index.js';
export {
  auditProject,
  auditFiles,
  TRANSPORT_KINDS,
  type AuditOptions,
  type AuditReport,
  type Finding,
  type SurveyCategory,
  type Classification,
} from './audit/index.js';
export { toAuditText, toAuditJson, toSarif, toAuditMarkdown, AUDIT_REPORT_SCHEMA_VERSION, type AuditJsonReport, type SarifLog } from './report/audit/index.js';
export { analyzeProject, analyzeSources, type AnalyzeOptions, type AnalyzedSources, type ServerModel } from './analysis/index.js';
export { migrateWithCommits, commitMessage, type CommitRunResult, type TransformCommit } from './review/commits.js';
export { planReview, type ReviewUnit, type ReviewFile, type ReviewHunk } from './review/plan.js';
export { acceptedChanges, type Decisions, type Accepted } from './review/accept.js';
export { auditFleet, readPathList, type FleetReport, type FleetProject, type CategoryShare, type FleetTotals, type FleetOptions } from './fleet/fleet.js';
export { measureProject, type MigrateEstimate } from './fleet/measure.js';
export { toFleetText, toFleetMarkdown, toFleetJson, FLEET_REPORT_SCHEMA_VERSION, type FleetJsonReport } from './report/fleet/index.js';
export type { PendingChanges } from './engine/migrate.js';
export type { TransformStep } from './engine/run-transforms.js';
export {
  verifyServer,
  readScenario,
  replayConversation,
  recordConversation,
  startHttpRecorder,
  readConversation,
  handleWeaknesses,
  failures,
  parseHeaders,
  VERIFY_CHECKS,
  VerifyError,
  toVerifyText,
  toVerifyJson,
  toVerifyJunit,
  VERIFY_REPORT_SCHEMA_VERSION,
  type VerifyOptions,
  type VerifyTarget,
  type HttpTarget,
  type StdioTarget,
  type VerifyReport,
  type CheckOutcome,
  type Conversation,
  type RecordedStep,
  type RecordOptions,
  type HttpRecorder,
  type VerifyCheckId,
  type VerifyJsonReport,
  type Scenario,
  type ScenarioCall,
} from './verify/index.js';
