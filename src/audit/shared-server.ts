import { Node, SyntaxKind, type CallExpression, type PropertyAccessExpression } from 'ts-morph';
import type { ServerModel } from '../analysis/index.js';
import { inTurn } from '../analysis/turns.js';
import { thisFieldAssignments } from '../analysis/this-fields.js';

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

function moduleServerNamed(receiver: Node, moduleServers: ReadonlyMap<Node, string>): string | undefined {
  const declaration = receiver.getSymbol()?.getDeclarations()[0];
  return declaration ? moduleServers.get(declaration) : undefined;
}

/**
 * A server an object the module keeps holds (`container.mcpServer`, built once where the container is): the
 * receiver is a property chain whose root is a top-level variable or import, so every request reaches the same
 * server. A chain the handler built (`const session = …; session.server`) is not one.
 */
function heldServer(receiver: Node, handler: Node): string | undefined {
  while (Node.isNonNullExpression(receiver) || Node.isParenthesizedExpression(receiver)) receiver = receiver.getExpression();
  if (!Node.isPropertyAccessExpression(receiver)) return undefined;
  if (receiver.getExpression().getKind() === SyntaxKind.ThisKeyword) return fieldServer(receiver, handler);
  let root: Node = receiver;
  while (Node.isPropertyAccessExpression(root)) root = root.getExpression();
  if (!Node.isIdentifier(root)) return undefined;
  const declaration = root.getSymbol()?.getDeclarations()[0];
  const inHandler = declaration !== undefined && declaration.getSourceFile() === handler.getSourceFile() && declaration.getStart() >= handler.getStart() && declaration.getEnd() <= handler.getEnd();
  if (!declaration || inHandler) return undefined;
  const topLevel = Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || (Node.isVariableDeclaration(declaration) && Node.isSourceFile(declaration.getVariableStatement()?.getParent()));
  return topLevel && /server/i.test(receiver.getName()) ? receiver.getText() : undefined;
}

/**
 * A server a field of the handler's object holds (`this.mcpServer`, handed in by a setter or built by the
 * constructor): one server for every request, unless the handler assigns the field itself.
 */
function fieldServer(receiver: PropertyAccessExpression, handler: Node): string | undefined {
  const name = receiver.getName();
  if (!/server/i.test(name)) return undefined;
  return thisFieldAssignments(handler, name).length > 0 ? undefined : `this.${name}`;
}

export function sharedServerConnects(model: ServerModel): SharedServerConnect[] {
  const out: SharedServerConnect[] = [];
  const moduleServers = new Map<Node, string>();
  for (const server of model.servers) {
    if (server.holder?.kind !== 'variable' || server.factory || server.ownerClass) continue;
    const statement = server.holder.node.getVariableStatement();
    if (statement && Node.isSourceFile(statement.getParent())) moduleServers.set(server.holder.node, server.holder.name);
  }
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
      if (inTurn(call)) continue;
      const receiver = callee.getExpression();
      const name = Node.isIdentifier(receiver) ? moduleServerNamed(receiver, moduleServers) : heldServer(receiver, handler);
      if (name && !out.some((found) => found.call === call)) out.push({ call, server: name });
    }
  }
  return out;
}
