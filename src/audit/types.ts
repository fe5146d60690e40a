import type { PatternId, RuleId } from '../rules/rules.js';
import type { SdkLine } from '../rules/sdk.js';

/** The transforms that fix findings (ids in transforms/index.ts), or `manual` when a person has to decide. */
export type FixedBy = 'stateless-transport' | 'session-state-to-handles' | 'process-state-to-handles' | 'static-lists' | 'per-request-context' | 'manual';

/**
 * The SEP-2567 survey categories, so audits of many repositories can be tallied.
 * A project can fall in several; `primary` picks the one that weighs most on a migration.
 */
export type SurveyCategory =
  | 'no-session-use'
  | 'routing-map-only'
  | 'generator-set-unused'
  | 'session-keyed-app-state'
  | 'process-lifetime-state'
  | 'gateway-sticky-routing'
  | 'auth-bound-to-session';

/** Heaviest first: the first category a project has is its primary one. */
export const CATEGORY_PRECEDENCE: readonly SurveyCategory[] = [
  'auth-bound-to-session',
  'gateway-sticky-routing',
  'session-keyed-app-state',
  'process-lifetime-state',
  'routing-map-only',
  'generator-set-unused',
  'no-session-use',
];

/** What kind of place a finding is about (one per detector). */
export type FindingKind =
  | 'session-keyed-state'
  | 'auth-bound-to-session'
  | 'gateway-upstream-map'
  | 'gateway-header-forward'
  | 'process-state'
  | 'factory-closure-state'
  | 'class-field-state'
  | 'explicit-id-registry'
  | 'selection-state'
  | 'session-id-read'
  | 'transport-map'
  | 'session-id-generator'
  | 'unused-session-id-generator'
  | 'session-callback'
  | 'session-header'
  | 'initialize-routing'
  | 'session-error'
  | 'session-route'
  | 'sse-transport'
  | 'shared-server-connect'
  | 'unsolicited-request'
  | 'framework-sessions'
  | 'list-toggle'
  | 'register-in-handler'
  | 'list-changed'
  | 'derived-resource-list'
  | 'client-context'
  | 'session-push';

/** One place that depends on sessions, connections or process-lifetime state. */
export interface Finding {
  rule: RuleId;
  pattern: PatternId;
  kind: FindingKind;
  /** `error` for MUST/MUST NOT rules and removed features, `warning` for SHOULD/SHOULD NOT, `note` for guidance. */
  severity: 'error' | 'warning' | 'note';
  /** Root-relative posix path. */
  file: string;
  /** 1-based. */
  line: number;
  column: number;
  /** The state involved: variable, map or field (`this.cells`), when there is one. */
  state?: string;
  /**
   * What this finding is decided together with, one marker for all: the class keeping a field, the function
   * changing the lists, the client context (`resource subscriptions`) a session id read keys.
   */
  group?: string;
  /** For a field of an object other state holds (a Tab in a Context's `tabs`): that state, whose decision it goes with. */
  heldBy?: string;
  /** Tools, resources (`resource <name>`) and prompts (`prompt <name>`) that read the state. */
  readers: string[];
  /** …and that write it. */
  writers: string[];
  /** One line a reviewer can act on. */
  message: string;
  /**
   * The transform that removes this finding when `migrate` runs today (checked by running it in memory), or
   * `manual` when the finding would still be there afterwards.
   */
  fixedBy: FixedBy;
  /** When migrate leaves this finding, the text of the one marker that covers it, where it differs from `message` (a kept transport). */
  decision?: string;
  /** The survey category this finding puts its project in. */
  category: SurveyCategory;
  /** Set on findings in tests or MCP client code (audited only with `--include-tests`, never classified). */
  scope?: 'test' | 'client';
}

/** A file the audit could not read or parse; the rest of the audit still ran. */
export interface AuditError {
  file: string;
  line: number;
  column: number;
  code: 'read-error' | 'parse-error' | 'analysis-error';
  message: string;
}

export interface Classification {
  primary: SurveyCategory;
  /** Every category that applies, heaviest first. */
  categories: SurveyCategory[];
}

/** A group of files connected by relative imports: one server project, for classification. */
export interface ProjectAudit {
  files: string[];
  sdk: SdkLine[];
  /** Transports served: `stdio`, `streamable-http`, `sse`, `web-standard`. */
  transports: string[];
  tools: string[];
  classification: Classification;
  findings: number;
}

export interface AuditStats {
  /** Source files found. */
  discovered: number;
  /** Files parsed (those passing the pre-filter, plus what they import). */
  parsed: number;
  projects: number;
  /** Files left out of the server's audit: tests and test data, and MCP client code. */
  excluded: { tests: number; client: number };
  durationMs: number;
}

export interface AuditReport {
  findings: Finding[];
  /** Findings in tests and MCP client code, with `--include-tests` only; they do not count for classification or `--check`. */
  separate: Finding[];
  errors: AuditError[];
  projects: ProjectAudit[];
  /** The whole audited tree, combining its projects. */
  classification: Classification;
  stats: AuditStats;
}
