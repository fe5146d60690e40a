import type { Transform } from './transform.js';

/**
 * The transforms a migration may run, handed to the engine by its caller: the engine knows how to run
 * transforms, not which ones exist. The CLI and the library's `migrate` pass the built-in registry
 * (`transforms/index.ts`); tools built on the engine pass their own.
 */
export interface TransformRegistry {
  /** Every transform, in the order a migration applies them. */
  readonly transforms: readonly Transform[];
  /**
   * URL of a module whose `TRANSFORMS` export is this registry. Worker threads load transforms from it
   * (code does not cross a thread boundary); without it the run stays in one thread.
   */
  readonly module?: string;
  /**
   * True when the audit's findings describe everything these transforms change, so groups without a
   * finding can be left alone unparsed. A custom registry may change what the audit does not look for.
   */
  readonly auditCovers?: boolean;
}

export function findTransform(id: string, registry: readonly Transform[]): Transform | undefined {
  return registry.find((transform) => transform.id === id);
}

/** Resolve user-given ids, keeping registry order; unknown ids are returned separately for a clear error. */
export function selectTransforms(
  ids: readonly string[] | undefined,
  registry: readonly Transform[],
): { selected: Transform[]; unknown: string[] } {
  if (!ids || ids.length === 0) return { selected: [...registry], unknown: [] };
  const unknown = ids.filter((id) => !findTransform(id, registry));
  return { selected: registry.filter((t) => ids.includes(t.id)), unknown };
}
