import { Node, SyntaxKind } from 'ts-morph';
import { placeOf } from '../shared/place.js';
import type { Plumbing } from './plumbing.js';
import { isFunctionLike } from './syntax.js';

/** The response events that end a request: a listener for one ran once per request, before and after the rewrite. */
const END_EVENTS = ['close', 'finish'];
const LISTEN = ['on', 'once', 'addListener'];

/**
 * What a listener for the end of the response did besides ending the session's transport
 * (`res.on('close', () => { log.info('closed'); transport.close(); this.currentUser = null; })`): the listener
 * goes with the transport it closed, and these statements, in order, run where the new code ends the request.
 */
export function responseEndWork(removed: readonly Node[], plumbing: Plumbing, response: string): { kept: Node[]; problem?: string } {
  const kept: Node[] = [];
  for (const statement of removed) {
    const listener = endListener(statement, response);
    const body = listener?.getBody();
    if (!listener || !body) continue;
    const own = (Node.isBlock(body) ? body.getStatements() : [body]).filter((s) => !plumbing.touches(s));
    // A `function` listener's `this` is the response; moved into the handler's code it would be the handler's.
    if (Node.isFunctionExpression(listener) && own.some((s) => s.getFirstDescendantByKind(SyntaxKind.ThisKeyword))) {
      return { kept, problem: `the response's ${placeOf(statement)} listener uses \`this\`, which is the response only there` };
    }
    kept.push(...own);
  }
  return { kept };
}

/** `res.on('close', () => …)` on the handler's response, as a whole statement. */
function endListener(statement: Node, response: string) {
  if (!Node.isExpressionStatement(statement)) return undefined;
  const call = statement.getExpression();
  if (!Node.isCallExpression(call)) return undefined;
  const callee = call.getExpression();
  const [event, listener] = call.getArguments();
  if (!Node.isPropertyAccessExpression(callee) || !LISTEN.includes(callee.getName()) || callee.getExpression().getText() !== response) return undefined;
  const name = event && (Node.isStringLiteral(event) || Node.isNoSubstitutionTemplateLiteral(event)) ? event.getLiteralValue() : undefined;
  return name && END_EVENTS.includes(name) && listener && isFunctionLike(listener) ? listener : undefined;
}
