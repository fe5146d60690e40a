import { Node, SyntaxKind, type SourceFile } from 'ts-morph';
import { isTestPath } from '../../src/engine/scope.js';
import { relativeOf } from '../../src/engine/parse.js';
import { SERVER_REQUEST_METHODS } from '../../src/rules/transport-state.js';
import { nodesOfKind } from '../shared/file-index.js';

/**
 * Calls that ask the client something and wait for its answer (`server.server.elicitInput(…)`,
 * `extra.sendRequest(…)`), anywhere in the project the entry is part of (tools live in other modules). Served per
 * request by a v1 server, such a call never gets its answer, so the rewrite says where they are.
 */
export function serverRequestSites(files: readonly SourceFile[]): Node[] {
  const pattern = new RegExp(`\\.(${SERVER_REQUEST_METHODS.join('|')})\\(`);
  const out: Node[] = [];
  for (const file of files) {
    if (isTestPath(relativeOf(file)) || !pattern.test(file.getFullText())) continue;
    for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (Node.isPropertyAccessExpression(callee) && SERVER_REQUEST_METHODS.includes(callee.getName()) && !isOwnMethod(callee.getExpression())) out.push(call);
    }
  }
  return out;
}

/** `this.createMessage(…)` calls a class's own method of that name, not the SDK's request. */
function isOwnMethod(receiver: Node): boolean {
  return receiver.getKind() === SyntaxKind.ThisKeyword;
}

/** "`elicitInput` in src/tools/ask.ts, …": which calls, in which modules (never lines: they move), three at most. */
export function describeSites(sites: readonly Node[]): string {
  const named = [
    ...new Set(
      sites.map((site) => {
        const callee = (site as Node & { getExpression(): Node }).getExpression();
        const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
        return `\`${name}\` in ${relativeOf(site.getSourceFile())}`;
      }),
    ),
  ];
  return `${named.slice(0, 3).join(', ')}${named.length > 3 ? ` and ${named.length - 3} more` : ''}`;
}

/** Session lifecycle callbacks: code in them ran when a session opened or closed, and goes with the sessions. */
const SESSION_CALLBACKS: readonly string[] = ['onsessioninitialized', 'onsessionclosed'];

/** A request sent from a session callback (`onsessioninitialized: (id) => { ask[id] = () => server.elicitInput(…) }`). */
export function inSessionCallback(site: Node): boolean {
  return site.getAncestors().some((a) => Node.isPropertyAssignment(a) && SESSION_CALLBACKS.includes(a.getName()));
}
