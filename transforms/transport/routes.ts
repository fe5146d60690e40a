import { Node, SyntaxKind, type CallExpression, type SourceFile } from 'ts-morph';
import { NODE_HTTP_MODULES, ROUTE_METHODS, ROUTE_PATH_NAME } from '../../src/rules/transport-symbols.js';
import { importedBindings } from './imports.js';
import { isFunctionLike, statementOf, stringValue, thisField, thisMethod, type FunctionLike, type Resolver } from './syntax.js';
import { nodesOfKind } from '../shared/file-index.js';
import { constantString } from '../shared/declarations.js';

export type RouteMethod = 'post' | 'get' | 'delete' | 'all';

/**
 * A request handler mounted on a server: `app.post('/mcp', …)` or `createServer(…)` (which sees every request),
 * or a request helper such a handler hands its request and response to (`handleStreamable(req, res, sessions)`).
 */
export interface Registration {
  /** The mounting call, or for a helper the call that hands it the request. */
  call: CallExpression;
  kind: 'route' | 'createServer' | 'helper';
  method: RouteMethod;
  /** Text of the router expression (`app`, `router`); undefined for createServer. */
  router?: string;
  /** The path's value, or for a path kept in configuration (`config.mcpHttpEndpointPath`) the expression's text. */
  path?: string;
  /** Whether `path` is an expression's text rather than a literal value. */
  pathIsExpression?: boolean;
  pathNode?: Node;
  /** The argument that is (or names) the handler: always the last one; earlier ones are middleware. */
  handlerArg: Node;
  handler: FunctionLike;
  /** The statement holding the registration. */
  statement: Node;
  /** Request helpers: which of the helper's parameters receive the request and the response. */
  exchange?: { request: number; response: number };
  /** Request helpers: the mounted handler that calls the helper (its route gives method and path). */
  via?: Registration;
  /**
   * A function of this file that another module of the project mounts or hands its request to: that module.
   * `call` is there; `statement` is the function's own top-level statement here, where new module code and
   * markers go, since nothing in the other module changes.
   */
  elsewhere?: SourceFile;
}

/** The function an argument is or names (`async (req, res) => …`, `handlePost`, `const h = function …`). */
export function functionOfArgument(arg: Node, resolver: Resolver): FunctionLike | undefined {
  if (isFunctionLike(arg)) return arg;
  // `this.post` naming an arrow-function field (`private post = async (req, res) => { … }`): `this` stays bound.
  const field = thisField(arg);
  const value = field?.getInitializer();
  if (value && isFunctionLike(value)) return value;
  // `this.handleMcp.bind(this)`: the method, with `this` bound to the object that mounts it.
  const bound = boundMethod(arg);
  if (bound) return bound;
  if (!Node.isIdentifier(arg)) return undefined;
  const declaration = resolver.of(arg);
  if (declaration && Node.isFunctionDeclaration(declaration)) return declaration;
  if (declaration && Node.isVariableDeclaration(declaration)) {
    const initializer = declaration.getInitializer();
    if (initializer && isFunctionLike(initializer)) return initializer;
  }
  return undefined;
}

/** `this.method.bind(this)`: the method it binds. */
function boundMethod(arg: Node): FunctionLike | undefined {
  if (!Node.isCallExpression(arg)) return undefined;
  const callee = arg.getExpression();
  const [self, ...rest] = arg.getArguments();
  if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'bind' || rest.length > 0 || self?.getKind() !== SyntaxKind.ThisKeyword) return undefined;
  return thisMethod(callee.getExpression());
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
    if (isCreateServer(call, resolver, httpBindings)) {
      const handler = functionOfArgument(last, resolver);
      if (handler) out.push({ call, kind: 'createServer', method: 'all', handlerArg: last, handler, statement: statementOf(call) });
      continue;
    }
    const route = routeMount(call, resolver);
    const handler = route && functionOfArgument(last, resolver);
    if (route && handler) out.push({ ...route, handlerArg: last, handler, statement: statementOf(call) });
  }
  return out;
}

/** What a route mount (`app.post('/mcp', auth, handler)`) says about its route, whatever its handler is. */
export type RouteMount = Pick<Registration, 'call' | 'kind' | 'method' | 'router' | 'path' | 'pathIsExpression' | 'pathNode'>;

export function routeMount(call: CallExpression, resolver: Resolver): RouteMount | undefined {
  const callee = call.getExpression();
  const args = call.getArguments();
  if (!Node.isPropertyAccessExpression(callee) || args.length < 2) return undefined;
  const method = ROUTE_METHODS[callee.getName()];
  const pathNode = args[0];
  // Also a path kept in a constant of the file (`const MCP_ENDPOINT_PATH = '/mcp'`).
  const literal = stringValue(pathNode) ?? constantString(pathNode, (id) => resolver.of(id));
  const configured = literal === undefined && namesAPath(pathNode);
  const path = configured ? pathNode!.getText() : literal;
  if (!method || path === undefined || (!configured && !path.startsWith('/'))) return undefined;
  return { call, kind: 'route', method, router: callee.getExpression().getText(), path, ...(configured ? { pathIsExpression: true } : {}), pathNode };
}

/**
 * A path read from configuration, not written in the file (`config.mcpHttpEndpointPath`, `MCP_PATH`): a name
 * or property whose last word says it is a path, so `cache.get(key, fallback)` never reads as a route.
 */
function namesAPath(node: Node | undefined): boolean {
  if (!node || !(Node.isIdentifier(node) || Node.isPropertyAccessExpression(node))) return false;
  const name = Node.isIdentifier(node) ? node.getText() : node.getName();
  return ROUTE_PATH_NAME.test(name);
}

/** Whether `arg` is the parameter `parameter` itself (not an expression built from it). */
function passes(arg: Node, parameter: Node | undefined, resolver: Resolver): boolean {
  return parameter !== undefined && Node.isIdentifier(arg) && resolver.of(arg)?.compilerNode === parameter.compilerNode;
}

/** Where a call inside `handler` passes the handler's own request and response on, if it passes both. */
export function exchangeOf(call: CallExpression, handler: FunctionLike, resolver: Resolver): Registration['exchange'] {
  const [request, response] = handler.getParameters();
  const args = call.getArguments();
  const exchange = { request: args.findIndex((a) => passes(a, request, resolver)), response: args.findIndex((a) => passes(a, response, resolver)) };
  return exchange.request < 0 || exchange.response < 0 ? undefined : exchange;
}

/**
 * Request helpers: functions of this file that a mounted handler calls with its own request and response
 * (`await handleStreamable(server, req, res, sessions)`). Such a helper sees whatever requests its caller
 * routes to it, so it is planned like a `createServer` handler: every method may reach it.
 */
export function findRequestHelpers(file: SourceFile, resolver: Resolver, registrations: readonly Registration[]): Registration[] {
  const out: Registration[] = [];
  for (const registration of registrations) {
    for (const call of nodesOfKind(registration.handler, SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      if (!Node.isIdentifier(callee) && !thisField(callee) && !thisMethod(callee)) continue;
      // A method of the handler's own object (`await this.handleMcp(req, res)`) is a helper like a function.
      const helper = functionOfArgument(callee, resolver) ?? thisMethod(callee);
      if (!helper || helper.getSourceFile() !== file || out.some((h) => h.call === call)) continue;
      const exchange = exchangeOf(call, registration.handler, resolver);
      if (!exchange) continue;
      out.push({ call, kind: 'helper', method: 'all', handlerArg: callee, handler: helper, statement: statementOf(call), exchange, via: registration });
    }
  }
  return out;
}
