/**
 * Requests to the client made when something other than a request happens (an extension event, a timer): the
 * 2026-07-28 revision answers each request on its own, so a server can only ask the client within a request it is
 * serving. Calls a tool makes mid-call are the transport's concern (they are reached from a handler); these are not.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import { SERVER_REQUEST_METHODS } from '../rules/transport-state.js';
import type { AnalysisContext } from './context.js';
import type { Reach } from './reach.js';

/** Calls that register a callback for later: an event listener, a timer, a subscription. */
const LATER = /^(?:on[A-Z]\w*|on|once|addEventListener|addListener|subscribe|watch|setInterval|setTimeout)$/;

export function findUnsolicitedRequests(ctx: AnalysisContext, reach: Reach): CallExpression[] {
  const pattern = new RegExp(`\\.(?:${SERVER_REQUEST_METHODS.join('|')})\\(`);
  const out: CallExpression[] = [];
  for (const info of ctx.files) {
    if (!pattern.test(info.sourceFile.getFullText())) continue;
    for (const call of ctx.nodesOf(info).calls) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee) || !SERVER_REQUEST_METHODS.includes(callee.getName())) continue;
      // A class's own method of that name is not the SDK's request.
      if (callee.getExpression().getKind() === SyntaxKind.ThisKeyword) continue;
      if (reach.isHandled(call) || !inLaterCallback(call)) continue;
      out.push(call);
    }
  }
  return out;
}

/** Whether the call sits in a function handed to a listener or timer registration. */
function inLaterCallback(call: Node): boolean {
  return call.getAncestors().some((ancestor) => {
    if (!Node.isArrowFunction(ancestor) && !Node.isFunctionExpression(ancestor)) return false;
    const parent = ancestor.getParent();
    if (!parent || !Node.isCallExpression(parent) || !parent.getArguments().includes(ancestor)) return false;
    const registrar = parent.getExpression();
    const name = Node.isPropertyAccessExpression(registrar) ? registrar.getName() : registrar.getText();
    return LATER.test(name);
  });
}
