import type { MigrateResult } from '../../engine/migrate.js';
import { unifiedDiff } from '../../engine/diff.js';

/** Bumped whenever a field changes meaning or goes away; adding fields keeps the version. */
export const MIGRATE_REPORT_SCHEMA_VERSION = 1;

/** The stable JSON report of a migrate run (documented in README.md). */
export interface MigrateJsonReport {
  schemaVersion: typeof MIGRATE_REPORT_SCHEMA_VERSION;
  tool: { name: 'mcp-sessionless'; version: string };
  root: string;
  dryRun: boolean;
  stats: MigrateResult['stats'];
  files: Array<{ path: string; status: 'added' | 'modified'; transforms: string[]; diff: string }>;
  diagnostics: MigrateResult['diagnostics'];
  /** The type-check gate: groups held back with the errors they introduce, or why nothing was checked. */
  typecheck: MigrateResult['typecheck'];
  summary: { changed: number; written: number; errors: number; todos: number };
}

export function toMigrateJson(result: MigrateResult, version: string): MigrateJsonReport {
  return {
    schemaVersion: MIGRATE_REPORT_SCHEMA_VERSION,
    tool: { name: 'mcp-sessionless', version },
    root: result.root,
    dryRun: result.written.length === 0,
    stats: result.stats,
    files: result.changes.map((c) => ({
      path: c.path,
      status: c.before === undefined ? 'added' : 'modified',
      transforms: c.transforms,
      diff: unifiedDiff(c.path, c.before, c.after),
    })),
    diagnostics: result.diagnostics,
    typecheck: result.typecheck,
    summary: summarize(result),
  };
}

export function summarize(result: MigrateResult): MigrateJsonReport['summary'] {
  return {
    changed: result.changes.length,
    written: result.written.length,
    errors: result.diagnostics.filter((d) => d.level === 'error').length,
    todos: result.diagnostics.filter((d) => d.message.includes('@mcp-sessionless-todo')).length,
  };
}
