/**
 * State that keeps the roots a client listed (`roots.set(sessionId, (await server.listRoots()).roots)`): where the
 * paths come from is the roots decision (per-request-context's marker), not a handle's. Marked so the handle
 * transforms leave it and the audit decides it together with the roots requests.
 */
import { Node } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { StateVariable } from './model.js';
import { unwrap } from './syntax.js';

const LIST_ROOTS = /\blistRoots\s*\(/;

export function markRootsState(ctx: AnalysisContext, states: readonly StateVariable[]): void {
  for (const state of states) {
    if (state.dependence !== 'session-keyed') continue;
    if (state.accesses.some((a) => a.mode === 'write' && a.value && fromListRoots(ctx, a.value))) state.holdsRoots = true;
  }
}

/** The value, or the local it is read from (`response.roots` with `const response = await server.listRoots()`). */
function fromListRoots(ctx: AnalysisContext, value: Node): boolean {
  if (LIST_ROOTS.test(value.getText())) return true;
  let root = unwrap(value);
  while (Node.isPropertyAccessExpression(root) || Node.isElementAccessExpression(root)) root = unwrap(root.getExpression());
  if (!Node.isIdentifier(root)) return false;
  const binding = ctx.resolver.resolve(root);
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) return false;
  return LIST_ROOTS.test(binding.node.getInitializer()?.getText() ?? '');
}
