import type { TypecheckGateResult } from '../../engine/typecheck-gate.js';

/** How the run treated what the gate found. */
export interface GateMode {
  /** Files were written (`--write`), not a dry run. */
  write: boolean;
  /** `--force-write`: held-back groups were written anyway. */
  forced: boolean;
}

/**
 * One sentence on the type-check gate for a run's summary: whether it checked, what it held back, and whether
 * the diff is (or would be) written. Undefined when there was nothing to check.
 */
export function typecheckSummary(gate: TypecheckGateResult, mode: GateMode): string | undefined {
  if (gate.status === 'skipped') return gate.reason === 'nothing to write' ? undefined : `type-check gate skipped: ${gate.reason}`;
  const where = gate.projects.map((p) => `${p.tsconfig}, ${p.checkedFiles} file(s) checked with ${p.compiler}`).join('; ');
  const unchecked = gate.unchecked.length > 0 ? `; ${count(gate.unchecked.flatMap((u) => u.files))} file(s) not checked: ${gate.reason}` : '';
  if (gate.status === 'passed') {
    const verdict = mode.write ? '' : '; the diff would be written';
    return `type-check gate passed: no type error introduced (${where}, ${gate.durationMs} ms)${verdict}${unchecked}`;
  }
  const errors = count(gate.blocked.flatMap((b) => b.errors.map((e) => `${e.file}:${e.line}:${e.column}:${e.code}`)));
  const files = count(gate.blocked.flatMap((b) => b.files));
  const outcome = mode.forced
    ? `${mode.write ? 'written' : 'kept'} anyway (--force-write)`
    : mode.write
      ? 'not written (--force-write writes them anyway)'
      : 'would not be written; the rest of the diff would be';
  return `type-check gate: ${errors} type error(s) introduced; ${files} file(s) ${outcome} (${where}, ${gate.durationMs} ms)${unchecked}`;
}

function count(items: readonly string[]): number {
  return new Set(items).size;
}
