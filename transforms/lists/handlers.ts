import { Node, SyntaxKind, type CallExpression, type Expression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { lookup, REGISTRATION_METHODS, REQUEST_METHODS, type ListKind } from '../../src/rules/lists-sdk.js';
import { contains, enclosingFunction, isFunctionLike, methodCall, stringValue, type FunctionLike } from './ast.js';
import { nodesOfKind } from '../shared/file-index.js';
import { constantObject } from '../shared/declarations.js';

/** One `server.registerTool(...)`-style call. */
export interface Registration {
  call: CallExpression;
  kind: ListKind;
  style: 'config' | 'legacy';
  method: string;
  /** The literal name, when the name is a literal. */
  name: string | undefined;
  receiver: Expression;
  /** `registerX(name, config, cb)`: the config object. */
  config?: ObjectLiteralExpression;
  /** The callback, when it is written inline. */
  handler?: FunctionLike;
  /** Where the per-request context parameter sits in the callback's parameter list. */
  ctxIndex: number;
  /** Resource registered with a ResourceTemplate. */
  template: boolean;
}

/** One `server.setRequestHandler(schema | 'method', fn)` call. */
export interface RequestHandler {
  call: CallExpression;
  method: string;
  receiver: Expression;
  handler?: FunctionLike;
}

/** A function that runs once per request, with what to call it in messages. */
export interface HandlerSite {
  fn: FunctionLike;
  /** Tool, prompt or resource name, or the request method. */
  label: string | undefined;
  registration?: Registration;
  request?: RequestHandler;
  ctxIndex: number;
}

function inlineFunction(node: Node | undefined): FunctionLike | undefined {
  return node && isFunctionLike(node) ? node : undefined;
}

/**
 * The handler inside a wrapper that hands a request handler its arguments as they come (`browsers.callHandler(async
 * (request, extra) => …)`, `withErrors(async (request) => …)`): the wrapper's one inline function argument.
 */
function wrappedHandler(node: Node | undefined): FunctionLike | undefined {
  if (!node || !Node.isCallExpression(node)) return undefined;
  const functions = node.getArguments().filter(isFunctionLike);
  return functions.length === 1 ? functions[0] : undefined;
}

/** Legacy `tool(name, [description], [schema], [annotations], cb)`: does the callback get parsed arguments first? */
function legacyTakesArgs(call: CallExpression, kind: ListKind): boolean {
  const middle = call.getArguments().slice(1, -1);
  if (kind === 'resource') return false;
  return middle.some((arg) => stringValue(arg) === undefined);
}

/**
 * Does a config-style callback get parsed arguments before its context? When the config declares the
 * schema (inline or in a const of the file); when the config cannot be seen, when the callback takes two.
 */
function takesArgs(config: Node | undefined, argsProperty: string | undefined, callback: FunctionLike | undefined): boolean {
  if (!argsProperty) return false;
  const literal = config && Node.isObjectLiteralExpression(config) ? config : constantObject(config);
  if (literal) return !!literal.getProperty(argsProperty);
  return (callback?.getParameters().length ?? 0) >= 2;
}

export function findRegistrations(file: SourceFile): Registration[] {
  const found: Registration[] = [];
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    const row = parts && lookup(REGISTRATION_METHODS, parts.method);
    if (!parts || !row) continue;
    const args = call.getArguments();
    if (args.length < 2) continue;
    const callback = args[args.length - 1];
    const config = row.style === 'config' && Node.isObjectLiteralExpression(args[row.kind === 'resource' ? 2 : 1]) ? (args[row.kind === 'resource' ? 2 : 1] as ObjectLiteralExpression) : undefined;
    const template = row.kind === 'resource' && Node.isNewExpression(args[1]) && args[1].getExpression().getText() === 'ResourceTemplate';
    // A handler the record's scope wraps (`browsers.tool(async (args, extra) => …)`) still gets what it got.
    const handler = inlineFunction(callback) ?? wrappedHandler(callback);
    const withoutArgs = handler !== undefined && handler !== callback && /\.toolWithoutArgs$/.test((callback as CallExpression).getExpression().getText());
    let ctxIndex: number;
    if (row.kind === 'resource') ctxIndex = template ? 2 : 1;
    else if (withoutArgs) ctxIndex = 0;
    else if (row.style === 'config') ctxIndex = takesArgs(args[1], row.argsProperty, handler) ? 1 : 0;
    else ctxIndex = legacyTakesArgs(call, row.kind) ? 1 : 0;
    found.push({
      call,
      kind: row.kind,
      style: row.style,
      method: parts.method,
      name: stringValue(args[0]),
      receiver: parts.receiver,
      config,
      handler,
      ctxIndex,
      template,
    });
  }
  return found;
}

/** The method a `setRequestHandler` first argument names: a v2 string or a v1 schema constant. */
export function requestMethodOf(node: Node | undefined): string | undefined {
  const literal = stringValue(node);
  if (literal !== undefined) return literal;
  if (node && Node.isIdentifier(node)) return lookup(REQUEST_METHODS, node.getText())?.method;
  return undefined;
}

export function findRequestHandlers(file: SourceFile): RequestHandler[] {
  const found: RequestHandler[] = [];
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    if (!parts || parts.method !== 'setRequestHandler') continue;
    const method = requestMethodOf(call.getArguments()[0]);
    if (!method) continue;
    found.push({ call, method, receiver: parts.receiver, handler: inlineFunction(call.getArguments()[1]) ?? wrappedHandler(call.getArguments()[1]) });
  }
  return found;
}

/** Every function in the file that runs per request, registrations first. */
export function handlerSites(registrations: readonly Registration[], requests: readonly RequestHandler[]): HandlerSite[] {
  const sites: HandlerSite[] = [];
  for (const registration of registrations) {
    if (registration.handler) sites.push({ fn: registration.handler, label: registration.name, registration, ctxIndex: registration.ctxIndex });
  }
  for (const request of requests) {
    if (request.handler) sites.push({ fn: request.handler, label: request.method, request, ctxIndex: 1 });
  }
  return sites;
}

/** The innermost handler whose body holds `node`. */
export function enclosingSite(node: Node, sites: readonly HandlerSite[]): HandlerSite | undefined {
  let best: HandlerSite | undefined;
  for (const site of sites) {
    if (site.fn !== node && contains(site.fn, node) && (!best || contains(best.fn, site.fn))) best = site;
  }
  return best;
}

/**
 * Does `node` run later than the code that registered things — inside a callback, not at the level of
 * the registrations themselves? Registrations at module level or in a server factory are "startup".
 */
export function runsPerCall(node: Node, startup: Node): boolean {
  return enclosingFunction(node) !== enclosingFunction(startup);
}

/**
 * The tool a model calls to reach `node`: the registered tool whose handler holds it, the `case 'name':`
 * of a low-level tools/call switch, or the tool whose handler calls the named function holding it.
 */
export function toolReaching(node: Node, sites: readonly HandlerSite[]): string | undefined {
  const site = enclosingSite(node, sites);
  if (site?.registration?.kind === 'tool') return site.registration.name;
  const clause = node.getFirstAncestor((a) => Node.isCaseClause(a) && stringValue(a.getExpression()) !== undefined);
  if (clause && Node.isCaseClause(clause)) return stringValue(clause.getExpression());
  const fn = enclosingFunction(node);
  const fnName = fn && (Node.isFunctionDeclaration(fn) ? fn.getName() : fn.getParent()?.isKind(SyntaxKind.VariableDeclaration) ? fn.getParent()!.asKindOrThrow(SyntaxKind.VariableDeclaration).getName() : undefined);
  if (!fnName) return undefined;
  for (const call of nodesOfKind(node.getSourceFile(), SyntaxKind.CallExpression)) {
    if (call.getExpression().getText() !== fnName) continue;
    const caller = enclosingSite(call, sites);
    if (caller?.registration?.kind === 'tool') return caller.registration.name;
    const callerClause = call.getFirstAncestor((a) => Node.isCaseClause(a) && stringValue(a.getExpression()) !== undefined);
    if (callerClause && Node.isCaseClause(callerClause)) return stringValue(callerClause.getExpression());
  }
  return undefined;
}
