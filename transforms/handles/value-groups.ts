/**
 * Values one creator sets together (`client` and `connectedTo`, both set by `connect`) belong to one caller
 * together: they migrate as one record behind one handle, so no value stays a global that every caller shares
 * once its partner has become a handle.
 */
import { Node } from 'ts-morph';
import type { Registration, ServerModel, StateVariable } from '../../src/analysis/index.js';
import { roleOf } from '../../src/rules/handles-verbs.js';
import { byTool } from './site.js';

/** The tool that establishes a value: named like a creator or setter, and assigns it outright. */
export function creatorOf(state: StateVariable, registrations: readonly Registration[]): Registration | undefined {
  const { tools } = byTool(state, registrations);
  for (const [registration, accesses] of tools) {
    if (!['creator', 'setter'].includes(roleOf(registration.name ?? ''))) continue;
    if (accesses.some((a) => a.op === 'assign' && !a.reset && !a.lazyInit)) return registration;
  }
  return undefined;
}

/**
 * Groups of two or more value states declared in the same scope and set by the same creator, in declaration
 * order (the first names the kind). `candidate` says which states the transform migrates as values.
 */
export function valueGroups(model: ServerModel, candidate: (state: StateVariable) => boolean): StateVariable[][] {
  const groups = new Map<string, StateVariable[]>();
  for (const state of model.states) {
    if (!candidate(state) || !Node.isVariableDeclaration(state.declaration)) continue;
    const scope = state.declaration.getVariableStatement()?.getParent();
    const creator = creatorOf(state, model.registrations);
    if (!scope || !creator) continue;
    const key = `${scope.getSourceFile().getFilePath()}:${scope.getStart()}:${creator.call.getSourceFile().getFilePath()}:${creator.call.getStart()}`;
    groups.set(key, [...(groups.get(key) ?? []), state]);
  }
  return [...groups.values()].filter((group) => group.length > 1);
}
