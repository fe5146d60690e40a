import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { NODE_HTTP_MODULES, ROUTE_METHODS } from '../../src/rules/transport-symbols.js';
import { importedBindings } from './imports.js';
import { isFunctionLike, statementOf, stringValue, type FunctionLike, type Resolver } from './syntax.js';
import { nodesOfKind } from '../shared/file-index.js';

export type RouteMethod = 'post' | 'get' | 'delete' | 'all';

/** A request handler mounted on a server: `app.post('/mcp', …)` or `createServer(…)` (which sees every request). */
export interface Registration {
  call: CallExpression;
  kind: 'route' | 'createServer';
  method: RouteMethod;
  /** Text of the router expression (`app`, `router`); undefined for createServer. */
  router?: string;
  path?: string;
  pathNode?: Node;
  /** The argument that is (or names) the handler: always the last one; earlier ones are middleware. */
  handlerArg: Node;
  handler: FunctionLike;
  /** The statement holding the registration. */
  statement: Node;
}

/** The function an argument is or names (`async (req, res) => …`, `handlePost`, `const h = function …`). */
export function functionOfArgument(arg: Node, resolver: Resolver): FunctionLike | undefined {
  if (isFunctionLike(arg)) return arg;
  if (!Node.isIdentifier(arg)) return undefined;
  const declaration = resolver.of(arg);
  if (declaration && Node.isFunctionDeclaration(declaration)) return declaration;
  if (declaration && Node.isVariableDeclaration(declaration)) {
    const initializer = declaration.getInitializer();
    if (initializer && isFunctionLike(initializer)) return initializer;
  }
  return undefined;
}

function isCreateServer(call: CallExpression, resolver: Resolver, httpBindings: Map<unknown, string>): boolean {
  const callee = call.getExpression();
  if (Node.isIdentifier(callee)) {
    const declaration = resolver.of(callee);
    return declaration !== undefined && httpBindings.get(declaration.compilerNode) === 'createServer';
  }
  if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'createServer') {
    const target = callee.getExpression();
    if (!Node.isIdentifier(target)) return false;
    const declaration = resolver.of(target);
    const imported = declaration ? httpBindings.get(declaration.compilerNode) : undefined;
    return imported === '*' || imported === 'default';
  }
  return false;
}

export function findRegistrations(file: SourceFile, resolver: Resolver): Registration[] {
  const httpBindings = new Map<unknown, string>();
  for (const binding of importedBindings(file)) {
    if (NODE_HTTP_MODULES.includes(binding.module)) httpBindings.set(binding.node.compilerNode, binding.imported);
  }
  const out: Registration[] = [];
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const args = call.getArguments();
    const last = args[args.length - 1];
    if (!last) continue;
    const callee = call.getExpression();
    if (isCreateServer(call, resolver, httpBindings)) {
      const handler = functionOfArgument(last, resolver);
      if (handler) out.push({ call, kind: 'createServer', method: 'all', handlerArg: last, handler, statement: statementOf(call) });
      continue;
    }
    if (!Node.isPropertyAccessExpression(callee) || args.length < 2) continue;
    const method = ROUTE_METHODS[callee.getName()];
    const pathNode = args[0];
    const path = stringValue(pathNode);
    if (!method || path === undefined || !path.startsWith('/')) continue;
    const handler = functionOfArgument(last, resolver);
    if (!handler) continue;
    out.push({
      call,
      kind: 'route',
      method,
      router: callee.getExpression().getText(),
      path,
      pathNode,
      handlerArg: last,
      handler,
      statement: statementOf(call),
    });
  }
  return out;
}
