import type { VerifyCheckId } from './checks.js';

/** A server to verify: an HTTP endpoint, or a command verify starts and speaks stdio to. */
export type VerifyTarget = HttpTarget | StdioTarget;

export interface HttpTarget {
  kind: 'http';
  url: string;
  /** Headers of the first principal (e.g. `Authorization: Bearer …`), sent on every request. */
  headers?: Record<string, string>;
  /** Headers of a second principal, for the principal-binding and cacheScope checks. */
  headersB?: Record<string, string>;
  /** A second replica of the same deployment: handles minted on `url` must work there. */
  replicaUrl?: string;
}

export interface StdioTarget {
  kind: 'stdio';
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** How a check came out for one subject (a tool, a list, the endpoint). */
export type OutcomeStatus = 'pass' | 'fail' | 'skip';

export interface CheckOutcome {
  check: VerifyCheckId;
  /** What was checked: `tools/list`, a tool name, `endpoint`, `step 4 (view_cart)`. */
  subject: string;
  status: OutcomeStatus;
  /** For failures, what is wrong and where to look; for skips, why. */
  message?: string;
  /** error fails the run (exit 2); warning is reported only. */
  level: 'error' | 'warning';
}

/** What `verify` (or `replay`) found out about a server. */
export interface VerifyReport {
  target: string;
  /** The protocol revision spoken (`2026-07-28`, or the 2025 revision a legacy server answered with). */
  protocolVersion?: string;
  era?: 'modern' | 'legacy';
  outcomes: CheckOutcome[];
  /** Tool calls verify made, in order (name and whether it was a tool error). */
  calls: Array<{ tool: string; isError: boolean }>;
  durationMs: number;
}

export function failures(report: VerifyReport, level?: 'error' | 'warning'): CheckOutcome[] {
  return report.outcomes.filter((o) => o.status === 'fail' && (level === undefined || o.level === level));
}
