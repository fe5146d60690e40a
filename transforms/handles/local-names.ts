/**
 * Names for the locals generated code declares inside a handler (`const tabs = await handles.resolve(…)`):
 * the preferred name when the handler does not use it, else the first free one of `<name>State`,
 * `<name>State2`, … so the new local never shadows a name the handler already uses.
 */
import { Node } from 'ts-morph';
import type { StoreExport } from './generate.js';
import { identifiersOf } from '../shared/file-index.js';

/** What generated code inside a handler refers to: a local of that name would hide it. */
const GENERATED_REFERENCES: readonly StoreExport[] = ['handles', 'principalOf', 'describeHandleParam', 'describeLifetime', 'defineHandleKind'];

/** Suffix of the fallback name: says the local holds the handle's state. */
const FALLBACK_SUFFIX = 'State';

/** Identifiers a scope binds or refers to; property names (`this.tabs`, `{ tabs: … }`) are not variables. */
export function namesUsedIn(scope: Node): Set<string> {
  const used = new Set<string>();
  for (const identifier of identifiersOf(scope)) {
    if (!isPropertyName(identifier)) used.add(identifier.getText());
  }
  return used;
}

function isPropertyName(identifier: Node): boolean {
  const parent = identifier.getParent();
  if (!parent) return false;
  if (Node.isPropertyAccessExpression(parent)) return parent.getNameNode() === identifier;
  if (Node.isPropertyAssignment(parent) || Node.isPropertyDeclaration(parent) || Node.isMethodDeclaration(parent) || Node.isPropertySignature(parent)) {
    return parent.getNameNode() === identifier;
  }
  // `{ a: x } = …` names the property `a`; the binding is `x`.
  if (Node.isBindingElement(parent)) return parent.getPropertyNameNode() === identifier;
  return false;
}

/**
 * The first name free in every scope: `preferred`, then `<preferred>State`, `<preferred>State2`, … Names in
 * `reserved` (the id parameter, the context) count as used too.
 */
export function freeLocalName(preferred: string, scopes: readonly Node[], reserved: Iterable<string> = []): string {
  const used = new Set<string>([...GENERATED_REFERENCES, ...reserved]);
  for (const scope of scopes) for (const name of namesUsedIn(scope)) used.add(name);
  if (!used.has(preferred)) return preferred;
  const base = `${preferred}${FALLBACK_SUFFIX}`;
  let candidate = base;
  for (let n = 2; used.has(candidate); n++) candidate = `${base}${n}`;
  return candidate;
}
