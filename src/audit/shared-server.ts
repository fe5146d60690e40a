import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import type { ServerModel } from '../analysis/index.js';

/**
 * A server built once for the module and connected to a fresh transport inside a request handler
 * (`app.post('/mcp', … await mcpServer.connect(transport); await transport.handleRequest(…))`): requests served
 * at once share its one connection, and the SDK refuses a second connect while one is open ("Already connected").
 * Stateless serving builds a server per request. HTTP+SSE pairs and sessionful entries are left out: their own
 * findings cover them.
 */
export interface SharedServerConnect {
  /** The `connect` call. */
  call: CallExpression;
  /** The server variable's name. */
  server: string;
}

/** Methods that serve one HTTP request on a transport: their presence makes the function a request handler. */
const SERVE_METHODS = new Set(['handleRequest']);

export function sharedServerConnects(model: ServerModel): SharedServerConnect[] {
  const out: SharedServerConnect[] = [];
  const moduleServers = new Map<Node, string>();
  for (const server of model.servers) {
    if (server.holder?.kind !== 'variable' || server.factory || server.ownerClass) continue;
    const statement = server.holder.node.getVariableStatement();
    if (statement && Node.isSourceFile(statement.getParent())) moduleServers.set(server.holder.node, server.holder.name);
  }
  if (moduleServers.size === 0) return out;
  for (const site of model.transports) {
    // A sessionful entry's shared server is part of its transport's decision (one marker there).
    if (site.kind === 'stdio' || site.kind === 'sse' || site.sessionful) continue;
    const handler = site.node.getFirstAncestor((node) => Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node));
    if (!handler) continue;
    const calls = handler.getDescendantsOfKind(SyntaxKind.CallExpression);
    const serves = calls.some((call) => {
      const callee = call.getExpression();
      return Node.isPropertyAccessExpression(callee) && SERVE_METHODS.has(callee.getName());
    });
    if (!serves) continue;
    for (const call of calls) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'connect') continue;
      const receiver = callee.getExpression();
      if (!Node.isIdentifier(receiver)) continue;
      const declaration = receiver.getSymbol()?.getDeclarations()[0];
      const name = declaration ? moduleServers.get(declaration) : undefined;
      if (name && !out.some((found) => found.call === call)) out.push({ call, server: name });
    }
  }
  return out;
}
