import { Node, SyntaxKind } from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import { contains, declarationOf, enclosingFunction, methodCall, rootIdentifier, type FunctionLike } from './ast.js';
import { derivedMappings } from './derived-lists.js';
import { returnedObject } from './resource-links.js';
import { listChangedKind, type ListScan } from './gates.js';
import { enclosingSite, toolReaching, type RequestHandler } from './handlers.js';
import type { Findings, Mark } from './steps.js';
import { nodesOfKind } from '../shared/file-index.js';

/**
 * list_changed notifications still sent while serving a call once every rewrite has run. The rewrites
 * remove the ones that belonged to what they converted; what is left has no static replacement, so it
 * gets a marker — unless another marker already sits in the same function and explains it, or the resources/list
 * they announce is built from a collection (that decision covers them).
 */
export function analyseListChanged(scan: ListScan & { requests: readonly RequestHandler[] }, others: readonly Mark[]): Findings {
  // A resources/list built from a collection is one decision with the notifications its writers send (the
  // derived-list marker speaks for them).
  const derived = scan.requests.some((r) => r.method === 'resources/list' && r.handler && listsCollection(r.handler));
  // One decision per kind of list in a file: the first notification carries it and counts the rest.
  const byKind = new Map<string, Node[]>();
  for (const call of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const kind = listChangedKind(call);
    if (!kind || (kind === 'resource' && derived)) continue;
    if (!enclosingSite(call, scan.sites) && !toolReaching(call, scan.sites)) continue;
    const fn = enclosingFunction(call);
    if (fn && others.some((mark) => contains(fn, mark.node))) continue;
    byKind.set(kind, [...(byKind.get(kind) ?? []), call]);
  }
  const marks: Mark[] = [...byKind].map(([kind, calls]) => ({ node: calls[0]!, rule: 'SL004', message: MARKERS.listChangedPerCall(kind, calls.length - 1) }));
  return { edits: [], marks };
}

/** A resources/list handler whose `resources` are computed from a collection kept outside it (`pages.map(…)`). */
function listsCollection(handler: FunctionLike): boolean {
  if (derivedMappings(handler).mappings.length > 0) return true;
  const property = returnedObject(handler)?.getProperty('resources');
  const value = property && Node.isPropertyAssignment(property) ? property.getInitializer() : undefined;
  if (!value) return false;
  const calls = [...(Node.isCallExpression(value) ? [value] : []), ...nodesOfKind(value, SyntaxKind.CallExpression)];
  return calls.some((call) => {
    const parts = methodCall(call);
    const root = parts && COLLECTION_VIEWS.includes(parts.method) ? rootIdentifier(parts.receiver) : undefined;
    const declaration = root && declarationOf(root);
    return !!declaration && !contains(handler, declaration);
  });
}

/** Array methods that compute a list from a collection. */
const COLLECTION_VIEWS: readonly string[] = ['map', 'filter', 'flatMap'];
