import { Node, SyntaxKind } from 'ts-morph';
import { countedMap } from '../../src/analysis/counts.js';
import { referencesIn } from '../shared/declarations.js';
import type { DroppedParameter } from './http-entry.js';
import type { Construction, Plumbing } from './plumbing.js';
import type { Registration } from './routes.js';
import { enclosingFunction, type FunctionLike, type Resolver } from './syntax.js';

/**
 * Shapes of real server entries the HTTP plan recognises beyond the session routing itself: a health route that
 * counts the sessions, HTTP+SSE helpers next to a Streamable HTTP helper, and sessions kept in a store object.
 */

/** `transports.size`, `Object.keys(transports).length` in a route that is not the MCP endpoint. */
export interface SessionCount {
  route: Registration;
  counts: Node[];
}


/**
 * The session-map counts in a route's handler, when counting is all it does with session plumbing: `m.size`,
 * `Object.keys(m).length` (and `values`, `entries`). Undefined when the route uses the plumbing any other way.
 */
export function sessionCountsIn(route: Registration, plumbing: Plumbing): Node[] | undefined {
  const counts: Node[] = [];
  const touching = plumbing.touchingNodes(route.handler);
  // `const activeSessions = Object.keys(transports).length`: a local holding a count is a count too.
  const countLocals = new Set(touching.filter((node) => Node.isVariableDeclaration(node) && countedMap(node.getInitializer()) !== undefined));
  // By name: in `{ activeSessions }` the shorthand's symbol is the property's, not the local's.
  const countNames = new Set([...countLocals].map((d) => (d as Node & { getName(): string }).getName()));
  const holdsCount = (node: Node) => Node.isIdentifier(node) && countNames.has(node.getText());
  for (const node of touching) {
    if (countLocals.has(node) || holdsCount(node)) continue;
    if (!Node.isIdentifier(node)) return undefined;
    // The map itself counted: `m.size` is its parent, `Object.keys(m).length` its grandparent.
    const parent = node.getParent();
    const count = [parent, parent?.getParent()].find((around) => around !== undefined && countedMap(around) === node);
    if (!count) return undefined;
    counts.push(count);
  }
  return counts.length > 0 ? counts : undefined;
}

/**
 * HTTP+SSE served by a request helper next to a Streamable HTTP helper (`if (path is /mcp) serveStreamable(…) else
 * serveSse(…)`): the SSE helper's calls become calls of the Streamable HTTP helper, so the requests it answered get
 * the stateless endpoint instead of no answer at all. The text of that call, without the arguments that only
 * carried session plumbing; both calls must sit in one handler, so every other argument means the same there.
 */
export function redirectCall(sse: readonly Registration[], streamable: readonly Registration[], dropped: readonly DroppedParameter[]): string | { problem: string } {
  const targets = [...new Set(streamable.map((r) => r.handler))];
  const [target] = streamable;
  const name = sse[0]?.handlerArg.getText() ?? 'the helper';
  if (!target || targets.length !== 1 || target.kind !== 'helper') return { problem: `HTTP+SSE is served through the request helper \`${name}\` next to Streamable HTTP that is not one request helper` };
  const home = enclosingFunction(target.call);
  if (sse.some((r) => r.kind !== 'helper' || enclosingFunction(r.call) !== home)) return { problem: `HTTP+SSE is served through the request helper \`${name}\` from another handler than the Streamable HTTP helper` };
  const droppedArgs = new Set(dropped.flatMap((d) => d.arguments.map((a) => a.compilerNode)));
  const args = target.call.getArguments().filter((a) => !droppedArgs.has(a.compilerNode)).map((a) => a.getText());
  return `${target.call.getExpression().getText()}(${args.join(', ')})`;
}

export const STORE_STEP =
  'serve each request statelessly by hand: a fresh server and transport for every POST (v1: sessionIdGenerator: undefined; v2: createMcpHandler) and 405 for GET and DELETE, after giving what each session\'s server kept (a connection, for instance) a handle';

/**
 * A transport handed to an object's method (`this.sessionStore.addSession({ sessionId, transport })`): sessions
 * kept behind a store's own interface, which routes consult by session id. Undefined when no such call is found.
 */
export function sessionStoreOf(constructions: readonly Construction[], resolver: Resolver): { receiver: string; call: string; where: string } | undefined {
  for (const construction of constructions) {
    const declaration = construction.node.getFirstAncestor((a) => Node.isVariableDeclaration(a));
    if (!declaration || !Node.isVariableDeclaration(declaration)) continue;
    const fn = enclosingFunction(declaration);
    const body = fn?.getBody();
    if (!fn || !body) continue;
    for (const id of referencesIn(body)) {
      if (resolver.of(id)?.compilerNode !== declaration.compilerNode) continue;
      let arg: Node = id;
      const parent = id.getParent();
      if (parent && (Node.isShorthandPropertyAssignment(parent) || Node.isPropertyAssignment(parent))) arg = parent.getParentOrThrow();
      const call = arg.getParent();
      if (!call || !Node.isCallExpression(call) || !call.getArguments().includes(arg as never)) continue;
      const callee = call.getExpression();
      // `this.helper(transport)` is the class's own code; a store is another object (`this.sessionStore`).
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() === 'connect' || callee.getExpression().getKind() === SyntaxKind.ThisKeyword) continue;
      let where = '';
      for (let named: FunctionLike | undefined = fn; named && !where; named = enclosingFunction(named)) {
        if (Node.isMethodDeclaration(named)) where = ` in the method \`${named.getName()}\``;
        else if (Node.isFunctionDeclaration(named) && named.getName()) where = ` in the function \`${named.getName()}\``;
      }
      return { receiver: callee.getExpression().getText(), call: callee.getText(), where };
    }
  }
  return undefined;
}
