import { findTransform, selectTransforms as selectFrom, type TransformRegistry } from '../src/engine/registry.js';
import type { Transform } from '../src/engine/transform.js';
import { markLeftoversTransform } from './mark-leftovers.js';
import { perRequestContextTransform } from './per-request-context.js';
import { processStateToHandlesTransform } from './process-state-to-handles.js';
import { sessionScopeTransform } from './session-scope.js';
import { sessionStateToHandlesTransform } from './session-state-to-handles.js';
import { statelessTransport } from './stateless-transport.js';
import { staticListsTransform } from './static-lists.js';

/**
 * Every transform, in the order a migration applies them. Order matters:
 * 1. state → handles first: they need the session/process state still in place to find readers and writers;
 *    fine-grained handles before the one-record fallback, which takes only what they left;
 * 2. static lists and per-request context next: gates that depended on session state now check handles;
 * 3. transports next: once no code reads the session id, the plumbing that minted it can go;
 * 4. markers for whatever is left last: it audits what the others produced.
 * `--list`, `--transforms` validation and the reports all derive from this array.
 */
export const TRANSFORMS: readonly Transform[] = [
  sessionStateToHandlesTransform,
  processStateToHandlesTransform,
  sessionScopeTransform,
  staticListsTransform,
  perRequestContextTransform,
  statelessTransport,
  markLeftoversTransform,
];

/** The built-in transforms as the engine takes them: worker threads load this module's `TRANSFORMS`. */
export const BUILT_IN_REGISTRY: TransformRegistry = {
  transforms: TRANSFORMS,
  module: import.meta.url,
  auditCovers: true,
};

export function getTransform(id: string, registry: readonly Transform[] = TRANSFORMS): Transform | undefined {
  return findTransform(id, registry);
}

/** Resolve user-given ids against the built-in registry unless another is given (see src/engine/registry.ts). */
export function selectTransforms(
  ids: readonly string[] | undefined,
  registry: readonly Transform[] = TRANSFORMS,
): { selected: Transform[]; unknown: string[] } {
  return selectFrom(ids, registry);
}
