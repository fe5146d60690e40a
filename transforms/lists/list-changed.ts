import { SyntaxKind } from 'ts-morph';
import { MARKERS } from '../../src/rules/lists-messages.js';
import { contains, enclosingFunction } from './ast.js';
import { listChangedKind, type ListScan } from './gates.js';
import { enclosingSite, toolReaching } from './handlers.js';
import type { Findings, Mark } from './steps.js';
import { nodesOfKind } from '../shared/file-index.js';

/**
 * list_changed notifications still sent while serving a call once every rewrite has run. The rewrites
 * remove the ones that belonged to what they converted; what is left has no static replacement, so it
 * gets a marker — unless another marker already sits in the same function and explains it.
 */
export function analyseListChanged(scan: ListScan, others: readonly Mark[]): Findings {
  const marks: Mark[] = [];
  for (const call of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const kind = listChangedKind(call);
    if (!kind) continue;
    if (!enclosingSite(call, scan.sites) && !toolReaching(call, scan.sites)) continue;
    const fn = enclosingFunction(call);
    if (fn && others.some((mark) => contains(fn, mark.node))) continue;
    marks.push({ node: call, rule: 'SL004', message: MARKERS.listChangedPerCall(kind) });
  }
  return { edits: [], marks };
}
