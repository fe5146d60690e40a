import type { PatternId, RuleId } from '../rules/rules.js';
import { TODO_MARKER } from '../rules/rules.js';

export type DiagnosticLevel = 'error' | 'warning' | 'info';

/**
 * What any stage of a run has to say about a file. Only the CLI prints these;
 * the engine and transforms build them through the factories below.
 */
export interface Diagnostic {
  level: DiagnosticLevel;
  /** Rule id, or an engine code such as `parse-error`, `read-error`, `conflict`. */
  rule: RuleId | EngineCode;
  pattern?: PatternId;
  /** Path relative to the run root, with forward slashes. */
  file: string;
  /** 1-based; 0 when the diagnostic is about the whole file. */
  line: number;
  column: number;
  message: string;
  /** Transform that produced it, when any. */
  transform?: string;
}

export type EngineCode =
  | 'parse-error'
  | 'read-error'
  | 'encoding'
  | 'write-error'
  | 'transform-error'
  | 'conflict'
  | 'todo-marker'
  | 'format-error'
  /** An error the changes would introduce, found by the type-check gate before writing. */
  | 'type-error'
  /** A test left alone that uses code the run rewrote (see stale-tests.ts). */
  | 'stale-test';

export interface Position {
  line: number;
  column: number;
}

export function fileError(file: string, rule: EngineCode, message: string): Diagnostic {
  return { level: 'error', rule, file, line: 0, column: 0, message };
}

export function finding(
  file: string,
  at: Position,
  rule: RuleId,
  message: string,
  extra: { pattern?: PatternId; transform?: string; level?: DiagnosticLevel } = {},
): Diagnostic {
  return { level: extra.level ?? 'warning', rule, file, line: at.line, column: at.column, message, ...pick(extra) };
}

/** A follow-up a human must decide; the transform also left a marker comment at `at`. */
export function todo(file: string, at: Position, rule: RuleId, message: string, transform: string, pattern?: PatternId): Diagnostic {
  const diagnostic: Diagnostic = { level: 'warning', rule, file, line: at.line, column: at.column, message: `${TODO_MARKER}(${rule}): ${message}`, transform };
  return pattern ? { ...diagnostic, pattern } : diagnostic;
}

function pick(extra: { pattern?: PatternId; transform?: string }): Partial<Diagnostic> {
  const out: Partial<Diagnostic> = {};
  if (extra.pattern) out.pattern = extra.pattern;
  if (extra.transform) out.transform = extra.transform;
  return out;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.level === 'error');
}
