import { Node, SyntaxKind, type BindingElement, type CallExpression, type Expression, type FunctionDeclaration, type Identifier, type NewExpression, type ParameterDeclaration, type PropertyAccessExpression, type SourceFile, type VariableDeclaration } from 'ts-morph';
import { SERVER_CLASSES } from '../../src/rules/transport-symbols.js';
import { bindingsFor } from './imports.js';
import type { MovedStatement } from './snippets.js';
import { reindent } from './style.js';
import { statementStart } from './text-edits.js';
import type { Plumbing } from './plumbing.js';
import { referencesIn } from '../shared/declarations.js';
import { enclosingFunction, isFunctionLike, within, type FunctionLike, type Resolver } from './syntax.js';
import { isExported } from '../shared/exports.js';
import { functionNamed, methodCalled, type ProjectLookup } from './followed.js';
import { nodesOfKind } from '../shared/file-index.js';
import { placeOf } from '../shared/place.js';
import { thisFieldAssignments } from '../../src/analysis/this-fields.js';

/**
 * Where the per-request server comes from. Serving statelessly needs a factory: a function that builds a
 * fully configured server. Three shapes lead there:
 * - `call`: the old code already called one (`const server = buildServer()`); reuse it;
 * - `inline`: the handler built the server itself (`new McpServer(…)` then `server.registerTool(…)`);
 *   those statements move into a new factory function;
 * - `singleton`: one module-wide server was connected to every session's transport; its declaration and
 *   the statements configuring it are wrapped into a factory function where they stand.
 */
export type ServerFactory =
  | {
      kind: 'call';
      call: CallExpression | NewExpression;
      callee: Identifier | PropertyAccessExpression;
      awaited: boolean;
      text: string;
      declaration?: Node;
      binding?: FactoryBinding;
      /** A connector (`await app.createConnection(transport)`): the call builds a server and connects it to its argument at this index. */
      connects?: number;
    }
  | {
      kind: 'inline' | 'singleton';
      declaration: Node;
      variable: string;
      configure: Node[];
      /** A module-wide server still used outside the sessions (a stdio connect, an export): one instance the factory builds stays for them. */
      keep?: boolean;
      /**
       * Registrations on a module-wide server made after start-up (a helper a timer or an admin route calls): each
       * server the factory builds replays them, so every request sees what the one server offered at that moment.
       */
      replayed?: CallExpression[];
    }
  /**
   * `parameter`: the function that starts the HTTP server was handed the server (`startSSEServer(server)`); the
   * parameter becomes a factory every caller passes (see starters.ts), and the statements at the top of the
   * function that configure the server (`setupServer(server)`) move into a local factory around it.
   */
  | { kind: 'parameter'; declaration: ParameterDeclaration; fn: FunctionLike; variable: string; configure: Node[] }
  /**
   * `shared`: a server the handler reaches through a field of its object (`this.mcpServer`, handed in by a setter or
   * built by the constructor), which nothing here can build again per request. It stays the one server; requests take
   * turns with it, each connecting its own transport and closing it before the next (a server holds one transport at
   * a time, and the SDK refuses a second connect while one is open). `expression` is the receiver as written.
   */
  | { kind: 'shared'; expression: string; field: string };

/**
 * Whether a function's server parameter may become a factory: undefined allows it, a string says why not. The
 * decision spans the project (every caller must pass a factory), so `prepare` makes it; without one, the
 * parameter keeps the transport.
 */
export type ParameterPolicy = (parameter: ParameterDeclaration, fn: FunctionLike) => string | undefined;

/**
 * A factory whose result is destructured (`const { server, cleanup } = createServer()`): the pattern as written,
 * the local name of the server, the property it is read from, and the other names the pattern binds (session
 * helpers such as `cleanup` that the per-request code may have to call when its server closes).
 */
export interface FactoryBinding {
  pattern: string;
  server: string;
  property: string;
  siblings: string[];
}

export type FactoryResult = { factory: ServerFactory } | { problem: string };

function unwrap(node: Node): { node: Node; awaited: boolean } {
  let current = node;
  let awaited = false;
  for (;;) {
    if (Node.isParenthesizedExpression(current) || Node.isAsExpression(current) || Node.isNonNullExpression(current)) current = current.getExpression();
    else if (Node.isAwaitExpression(current)) {
      awaited = true;
      current = current.getExpression();
    } else return { node: current, awaited };
  }
}

export function isServerClass(node: Node, file: SourceFile, resolver: Resolver): boolean {
  if (!Node.isNewExpression(node)) return false;
  const callee = node.getExpression();
  return Node.isIdentifier(callee) && namesServerClass(callee, file, resolver);
}

/** Whether a name stands for an SDK server class its file imports (`McpServer`, `Server`). */
function namesServerClass(id: Identifier, file: SourceFile, resolver: Resolver): boolean {
  const declaration = resolver.of(id);
  return declaration !== undefined && bindingsFor(file, SERVER_CLASSES).has(declaration.compilerNode);
}

/** `new PuppeteerMcpServer(…)` of `class PuppeteerMcpServer extends McpServer` (in this module or imported): its name. */
function serverSubclassOf(node: Node, resolver: Resolver): string | undefined {
  if (!Node.isNewExpression(node)) return undefined;
  const callee = node.getExpression();
  if (!Node.isIdentifier(callee)) return undefined;
  const local = resolver.of(callee);
  const declared = local && Node.isImportSpecifier(local) ? local.getNameNode().getSymbol()?.getAliasedSymbol()?.getDeclarations()[0] : local;
  if (!declared || !Node.isClassDeclaration(declared)) return undefined;
  const base = declared.getExtends()?.getExpression();
  return base && Node.isIdentifier(base) && namesServerClass(base, declared.getSourceFile(), resolver) ? callee.getText() : undefined;
}

/** Statements after `declaration` in its block that only configure `variable`: `server.registerTool(…)`, `setup(server)`. */
function configuring(declaration: Node, variable: Node, plumbing: Plumbing, resolver: Resolver): Node[] {
  const statement = declaration.getParentOrThrow().getParentOrThrow();
  const block = statement.getParentOrThrow();
  if (!Node.isBlock(block) && !Node.isSourceFile(block)) return [];
  const siblings = block.getStatements();
  const out: Node[] = [];
  const later = siblings.slice(siblings.indexOf(statement as never) + 1);
  const helpers = new Set<Node>();
  for (const sibling of later) {
    // `function registerTools() { … server.tool(…) … }` called once by a later `registerTools();`: both move.
    if (Node.isFunctionDeclaration(sibling) && registrationHelper(sibling, later, variable, resolver)) {
      helpers.add(sibling);
      out.push(sibling);
      continue;
    }
    const called = Node.isExpressionStatement(sibling) ? sibling.getExpression() : undefined;
    if (called && Node.isCallExpression(called) && Node.isIdentifier(called.getExpression()) && helpers.has(resolver.of(called.getExpression() as Identifier) ?? sibling)) {
      out.push(sibling);
      continue;
    }
    if (!Node.isExpressionStatement(sibling) && !registersInLoop(sibling, variable, resolver)) continue;
    const uses = referencesIn(sibling).filter((id) => resolver.of(id)?.compilerNode === variable.compilerNode);
    const otherPlumbing = plumbing.touchingNodes(sibling).some((n) => !(Node.isIdentifier(n) && resolver.of(n)?.compilerNode === variable.compilerNode));
    const connects = nodesOfKind(sibling, SyntaxKind.CallExpression).some((c) => c.getExpression().getText().endsWith('.connect'));
    // A listener another object keeps (`emitter.on('x', () => server…)`, `process.on('SIGINT', …)`) is not
    // configuration: moved into a factory it would be added again with every server built.
    if (uses.length > 0 && !otherPlumbing && !connects && !uses.every((id) => inForeignListener(id, sibling, variable, resolver))) out.push(sibling);
  }
  return out;
}

/**
 * A module function that registers on the server by name (`function registerTools() { tools.forEach((t) =>
 * server.tool(…)) }`), not exported, called exactly once by a later statement of its own (`registerTools();`),
 * and using the server only to register: it is configuration, and moves into the factory with its call, where
 * `server` is the server the factory builds.
 */
function registrationHelper(fn: FunctionDeclaration, later: readonly Node[], variable: Node, resolver: Resolver): boolean {
  const name = fn.getName();
  if (!name || fn.isExported() || fn.isDefaultExport() || fn.getParameters().length > 0) return false;
  const uses = referencesIn(fn).filter((id) => resolver.of(id)?.compilerNode === variable.compilerNode);
  if (uses.length === 0 || !uses.every(registersOn)) return false;
  const calls = referencesIn(fn.getSourceFile()).filter((id) => id.getText() === name && resolver.of(id)?.compilerNode === fn.compilerNode);
  const [call] = calls;
  const statement = call?.getParent()?.getParent();
  return calls.length === 1 && Node.isCallExpression(call!.getParent()) && statement !== undefined && Node.isExpressionStatement(statement) && later.includes(statement) && statement.getStart() > fn.getStart();
}

/** Whether `id` sits in a callback `statement` hands to a call on something other than the server (a listener). */
function inForeignListener(id: Node, statement: Node, variable: Node, resolver: Resolver): boolean {
  const callback = id.getFirstAncestor((a) => (Node.isArrowFunction(a) || Node.isFunctionExpression(a)) && within(a, statement));
  const call = callback?.getParent();
  if (!callback || !call || !Node.isCallExpression(call) || call.getParent() !== (Node.isExpressionStatement(statement) ? statement : undefined)) return false;
  const callee = call.getExpression();
  const receiver = Node.isPropertyAccessExpression(callee) ? callee.getExpression() : undefined;
  const onServer = receiver !== undefined && referencesIn(receiver).some((r) => resolver.of(r)?.compilerNode === variable.compilerNode);
  return !onServer;
}

/** Server methods a configuration loop may call: they register what the server offers and nothing else. */
const REGISTRATION_METHODS = /^(register\w*|tool|resource|prompt|setRequestHandler|setNotificationHandler)$/;

/**
 * `for (const tool of tools) server.registerTool(tool.name, …)`: a loop over a table of tools (classes, rows)
 * that only registers them is configuration, and moves into the factory with the server it configures.
 */
function registersInLoop(statement: Node, variable: Node, resolver: Resolver): boolean {
  if (!Node.isForOfStatement(statement) && !Node.isForStatement(statement) && !Node.isForInStatement(statement)) return false;
  const uses = referencesIn(statement).filter((id) => resolver.of(id)?.compilerNode === variable.compilerNode);
  return uses.length > 0 && uses.every(registersOn);
}

/**
 * `board.registerResource(…)` as a statement of its own inside a function (a helper, a timer's callback): a
 * registration on the module-wide server made after start-up, whose result nobody keeps. The call, or undefined.
 */
export function lateRegistration(id: Node): CallExpression | undefined {
  if (!registersOn(id)) return undefined;
  const call = id.getParentOrThrow().getParentOrThrow() as CallExpression;
  return Node.isExpressionStatement(call.getParent()) && enclosingFunction(call) !== undefined ? call : undefined;
}

/** `server.tool(…)`, `server.registerTool(…)`: a use of the server that only registers what it offers. */
function registersOn(id: Node): boolean {
  const access = id.getParent();
  const call = access?.getParent();
  return Node.isPropertyAccessExpression(access) && access.getExpression() === id && REGISTRATION_METHODS.test(access.getName()) && Node.isCallExpression(call) && call.getExpression() === access;
}

/** Resolve the factory behind every `server.connect(<session transport>)` inside `scope` nodes. */
export function resolveFactory(
  file: SourceFile,
  plumbing: Plumbing,
  resolver: Resolver,
  scope: readonly Node[],
  handlers: readonly FunctionLike[],
  parameters?: ParameterPolicy,
): FactoryResult {
  const connects = nodesOfKind(file, SyntaxKind.CallExpression).filter((call) => {
    const callee = call.getExpression();
    const [arg] = call.getArguments();
    return Node.isPropertyAccessExpression(callee) && callee.getName() === 'connect' && arg !== undefined && plumbing.touches(arg) && scope.some((s) => within(call, s));
  });
  if (connects.length === 0) return connectorFactory(file, plumbing, resolver, scope);
  const found: ServerFactory[] = [];
  for (const connect of connects) {
    const callee = connect.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) continue;
    const receiver = unwrap(callee.getExpression());
    const result = factoryOf(receiver.node, callee.getExpression(), file, plumbing, resolver, handlers, parameters);
    if ('problem' in result) return result;
    found.push(result.factory);
  }
  const [first] = found;
  if (!first) return { problem: 'no server is connected to the session transports' };
  const key = (f: ServerFactory) => (f.kind === 'call' ? `call:${f.callee.getText()}:${f.text}` : f.kind === 'shared' ? `shared:${f.field}` : `${f.kind}:${f.declaration.getStart()}`);
  if (found.some((f) => key(f) !== key(first))) return { problem: 'sessions are connected to servers built in different ways' };
  return { factory: first };
}

/**
 * No `server.connect(transport)` in sight: the transport may be handed to the application's own code that builds
 * a server and connects it (`await app.createConnection(transport)`). One such call, always the same, whose only
 * session plumbing is the transport itself, is the per-request factory; its result must not be used.
 */
function connectorFactory(file: SourceFile, plumbing: Plumbing, resolver: Resolver, scope: readonly Node[]): FactoryResult {
  const none = { problem: 'no server is connected to the session transports' };
  const candidates = nodesOfKind(file, SyntaxKind.CallExpression).filter((call) => {
    if (!scope.some((s) => within(call, s))) return false;
    const callee = call.getExpression();
    if (plumbing.touches(callee) || !(Node.isIdentifier(callee) || (Node.isPropertyAccessExpression(callee) && Node.isIdentifier(callee.getExpression())))) return false;
    const args = call.getArguments();
    const transports = args.filter((a) => Node.isIdentifier(a) && isTransportVariable(a, plumbing, resolver));
    return transports.length === 1 && args.every((a) => transports.includes(a) || !plumbing.touches(a));
  });
  const [first] = candidates;
  if (!first) return none;
  if (candidates.some((c) => c.getExpression().getText() !== first.getExpression().getText())) return { problem: 'sessions are connected to servers built in different ways' };
  for (const call of candidates) {
    let outer: Node = call;
    while (Node.isAwaitExpression(outer.getParentOrThrow()) || Node.isParenthesizedExpression(outer.getParentOrThrow())) outer = outer.getParentOrThrow();
    if (!Node.isExpressionStatement(outer.getParentOrThrow())) return { problem: `the server that \`${call.getExpression().getText()}\` builds for each session is kept, so it cannot be built per request` };
  }
  const awaited = Node.isAwaitExpression(first.getParentOrThrow());
  const connects = first.getArguments().findIndex((a) => Node.isIdentifier(a) && isTransportVariable(a, plumbing, resolver));
  const result = callFactory(first, awaited);
  if ('problem' in result || result.factory.kind !== 'call') return result;
  return { factory: { ...result.factory, connects } };
}

/** A variable holding a constructed session transport (`const transport = new StreamableHTTPServerTransport(…)`). */
function isTransportVariable(id: Identifier, plumbing: Plumbing, resolver: Resolver): boolean {
  const declaration = resolver.of(id);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return false;
  const initializer = declaration.getInitializer();
  return initializer !== undefined && plumbing.constructions.some((c) => within(c.node, initializer));
}

function factoryOf(receiver: Node, connect: Node, file: SourceFile, plumbing: Plumbing, resolver: Resolver, handlers: readonly FunctionLike[], parameters?: ParameterPolicy): FactoryResult {
  if (Node.isCallExpression(receiver)) return callFactory(receiver, false);
  // `await new McpServer(…).connect(transport)`: the construction itself is the factory.
  if (isServerClass(receiver, file, resolver)) return callFactory(receiver as NewExpression, false);
  if (Node.isPropertyAccessExpression(receiver) && receiver.getExpression().getKind() === SyntaxKind.ThisKeyword) return fieldFactory(receiver, connect, handlers);
  if (!Node.isIdentifier(receiver)) return { problem: `cannot tell which server \`${receiver.getText()}\` is` };
  const declaration = resolver.of(receiver);
  if (declaration && Node.isBindingElement(declaration)) return destructuredFactory(declaration, receiver.getText(), handlers);
  if (declaration && Node.isParameterDeclaration(declaration) && parameters) return parameterFactory(declaration, receiver.getText(), plumbing, resolver, parameters);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return { problem: `the server \`${receiver.getText()}\` is not a local variable (a parameter or an import)` };
  const initializer = declaration.getInitializer() ?? onlyAssignment(declaration, receiver, resolver);
  if (!initializer) return { problem: `the server \`${receiver.getText()}\` has no initializer` };
  const { node, awaited } = unwrap(initializer);
  const statement = declaration.getParentOrThrow().getParentOrThrow();
  if (!Node.isVariableStatement(statement) || statement.getDeclarations().length !== 1) return { problem: `the server \`${receiver.getText()}\` shares its declaration` };
  const inHandler = handlers.some((h) => within(declaration, h));
  if (Node.isCallExpression(node)) {
    const result = callFactory(node, awaited);
    if ('factory' in result && result.factory.kind === 'call' && !inHandler) result.factory = { ...result.factory, declaration };
    return result;
  }
  if (!isServerClass(node, file, resolver)) {
    const subclass = serverSubclassOf(node, resolver);
    if (subclass) return { problem: `the server \`${receiver.getText()}\` is a \`${subclass}\`, the project's own subclass of the SDK's server, built for each session` };
    return { problem: `the server \`${receiver.getText()}\` is not built by an SDK server class or a factory call` };
  }
  if (isExported(statement)) return { problem: `the server \`${receiver.getText()}\` is exported` };
  return {
    factory: { kind: inHandler ? 'inline' : 'singleton', declaration, variable: receiver.getText(), configure: configuring(declaration, declaration, plumbing, resolver) },
  };
}

/**
 * `await this.mcpServer!.connect(transport)`: the server a field of the handler's object holds. It is the one server
 * only if no request handler assigns the field (a handler that does builds one per session, which is not this shape).
 */
function fieldFactory(access: PropertyAccessExpression, connect: Node, handlers: readonly FunctionLike[]): FactoryResult {
  const name = access.getName();
  const owner = access.getFirstAncestor((a) => Node.isClassDeclaration(a) || Node.isClassExpression(a));
  if (!owner) return { problem: `cannot tell which server \`${access.getText()}\` is` };
  const assigned = thisFieldAssignments(owner, name).find((binary) => handlers.some((h) => within(binary, h)));
  if (assigned) return { problem: `the server \`${access.getText()}\` is assigned while a request is served (${placeOf(assigned)}), so it cannot be told apart from one built per session` };
  return { factory: { kind: 'shared', expression: connect.getText(), field: name } };
}

/**
 * `let server: McpServer;` … `server = createServer(id);` … `server.connect(transport)`: a declaration without a
 * value, given one by the only assignment to it, made by a call in the same block as the connect.
 */
function onlyAssignment(declaration: VariableDeclaration, receiver: Node, resolver: Resolver): Expression | undefined {
  const fn = enclosingFunction(declaration);
  if (!fn) return undefined;
  const assignments = nodesOfKind(fn, SyntaxKind.BinaryExpression).filter((binary) => {
    const left = binary.getLeft();
    return binary.getOperatorToken().getKind() === SyntaxKind.EqualsToken && Node.isIdentifier(left) && resolver.of(left)?.compilerNode === declaration.compilerNode;
  });
  if (assignments.length !== 1) return undefined;
  const [assignment] = assignments;
  const right = assignment!.getRight();
  const statement = assignment!.getParent();
  const connect = receiver.getFirstAncestor((a) => Node.isExpressionStatement(a));
  if (!Node.isCallExpression(unwrap(right).node) || !statement || !Node.isExpressionStatement(statement) || statement.getParent() !== connect?.getParent()) return undefined;
  return right;
}

/**
 * `function startSSEServer(server: Server) { … server.connect(transport) … }`: the server a starter was handed.
 * Only a plain parameter of a named function qualifies; the statements of its body that configure it come along.
 */
function parameterFactory(parameter: ParameterDeclaration, name: string, plumbing: Plumbing, resolver: Resolver, policy: ParameterPolicy): FactoryResult {
  const fn = parameter.getParent();
  const plain = Node.isIdentifier(parameter.getNameNode()) && !parameter.getInitializer() && !parameter.hasQuestionToken() && !parameter.getDotDotDotToken();
  if (!isFunctionLike(fn)) return { problem: `the server \`${name}\` is not a local variable (a parameter or an import)` };
  if (!plain) {
    const owner = Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) ? ` of \`${fn.getName()}\`` : '';
    const how = parameter.hasQuestionToken() || parameter.getInitializer() ? 'an optional' : 'a destructured or rest';
    return { problem: `the server \`${name}\` is ${how} parameter${owner}, handed one server for every connection; make it a required parameter (or one that builds a server) so each request can build its own` };
  }
  const body = fn.getBody();
  if (!body || !Node.isBlock(body)) return { problem: `the server \`${name}\` is a parameter of a function without a block body` };
  const problem = policy(parameter, fn);
  if (problem) return { problem };
  return { factory: { kind: 'parameter', declaration: parameter, fn, variable: name, configure: configuringIn(body.getStatements(), parameter, plumbing, resolver) } };
}

/**
 * Statements that only configure `variable`: one call at the top, `server.setRequestHandler(…)` (a registration
 * method on it, whatever its handlers use) or `setupServer(server, …)` (the server handed to a function), touching
 * no session plumbing. Stricter than `configuring`: a route or a signal handler that merely mentions the server
 * in a callback is a use, not configuration.
 */
export function configuringIn(statements: readonly Node[], variable: Node, plumbing: Plumbing | undefined, resolver: Resolver, except: (call: CallExpression) => boolean = () => false): Node[] {
  const isVariable = (node: Node) => Node.isIdentifier(node) && resolver.of(node)?.compilerNode === variable.compilerNode;
  return statements.filter((statement) => {
    if (!Node.isExpressionStatement(statement)) return false;
    const call = unwrap(statement.getExpression()).node;
    if (!Node.isCallExpression(call) || except(call)) return false;
    const callee = call.getExpression();
    const registers = Node.isPropertyAccessExpression(callee) && isVariable(callee.getExpression()) && REGISTRATION_METHODS.test(callee.getName());
    const handed = Node.isIdentifier(callee) && call.getArguments().some(isVariable);
    if (!registers && !handed) return false;
    if (plumbing && plumbing.touchingNodes(statement).some((n) => !isVariable(n))) return false;
    // Elsewhere in a handed-over call the server may only be an argument: `setup(server)`, not `setup(() => server)`.
    const uses = referencesIn(statement).filter(isVariable);
    return registers || uses.every((id) => id.getParent() === call);
  });
}

/** `const { server, cleanup } = createServer()`: a factory call whose result object holds the server. */
function destructuredFactory(element: BindingElement, name: string, handlers: readonly FunctionLike[]): FactoryResult {
  const pattern = element.getParent();
  const declaration = pattern?.getParent();
  const problem = { problem: `the server \`${name}\` is destructured from something other than a factory call` };
  if (!pattern || !Node.isObjectBindingPattern(pattern) || !declaration || !Node.isVariableDeclaration(declaration)) return problem;
  const elements = pattern.getElements();
  if (element.getDotDotDotToken() || elements.some((e) => !Node.isIdentifier(e.getNameNode()) || e.getInitializer())) return problem;
  const initializer = declaration.getInitializer();
  if (!initializer) return problem;
  const { node, awaited } = unwrap(initializer);
  if (!Node.isCallExpression(node)) return problem;
  const statement = declaration.getParentOrThrow().getParentOrThrow();
  if (!Node.isVariableStatement(statement) || statement.getDeclarations().length !== 1) return { problem: `the server \`${name}\` shares its declaration` };
  const result = callFactory(node, awaited);
  if ('problem' in result || result.factory.kind !== 'call') return result;
  const property = element.getPropertyNameNode()?.getText() ?? name;
  const siblings = elements.filter((e) => e !== element).map((e) => e.getName());
  const inHandler = handlers.some((h) => within(declaration, h));
  return { factory: { ...result.factory, binding: { pattern: pattern.getText(), server: name, property, siblings }, ...(inHandler ? {} : { declaration }) } };
}

function callFactory(call: CallExpression | NewExpression, awaited: boolean): FactoryResult {
  const callee = call.getExpression();
  // A method of a named object (`serverList.create()`), or of the class whose method serves the requests
  // (`this.createMcpServer(id)`), is called the same way per request as per session.
  const receiver = Node.isPropertyAccessExpression(callee) ? callee.getExpression() : undefined;
  const method = receiver && (Node.isIdentifier(receiver) || Node.isThisExpression(receiver)) ? (callee as PropertyAccessExpression) : undefined;
  const named = Node.isIdentifier(callee) ? callee : method;
  if (!named) return { problem: `the server comes from \`${callee.getText()}\`, which is not a plain function or method call` };
  return { factory: { kind: 'call', call, callee: named, awaited, text: `${awaited ? 'await ' : ''}${call.getText()}` } };
}

/** The function a factory call invokes, when it is declared in this project: a function, or the method of a typed receiver. */
export function resolveFactoryFunction(factory: ServerFactory, resolver: Resolver, lookup: ProjectLookup): FunctionLike | undefined {
  if (factory.kind !== 'call' || Node.isNewExpression(factory.call)) return undefined;
  if (Node.isPropertyAccessExpression(factory.callee)) return methodCalled(factory.callee, resolver, lookup);
  return functionNamed(factory.callee, resolver, lookup);
}

/** Whether every identifier `node` uses is declared outside `handlers` (so code at module level can use it). */
export function usesOnlyOuterNames(node: Node, handlers: readonly FunctionLike[], resolver: Resolver, except: Node[] = []): string | undefined {
  for (const id of referencesIn(node)) {
    const declaration = resolver.of(id);
    if (!declaration || except.some((e) => within(declaration, e))) continue;
    if (handlers.some((h) => within(declaration, h))) return id.getText();
    const owner = enclosingFunction(declaration);
    if (owner && handlers.some((h) => h === owner)) return id.getText();
  }
  return undefined;
}

/**
 * How the v2 entries (`createMcpHandler`, `serveStdio`) refer to a factory: the function itself when it
 * takes no parameters (the entries pass a context object, which a parameter with a default would
 * swallow) and is hoisted or declared before `position`; otherwise a wrapper arrow around the old call.
 */
export function factoryReference(factory: Extract<ServerFactory, { kind: 'call' }>, resolver: Resolver, position: number, resolved?: FunctionLike): string {
  const target = Node.isIdentifier(factory.callee) ? resolver.of(factory.callee) : undefined;
  // An imported function is a live, hoisted binding; a local one must be hoisted or declared before use.
  const imported = target !== undefined && Node.isImportSpecifier(target) && resolved !== undefined;
  const fn = imported ? resolved : target && Node.isVariableDeclaration(target) ? target.getInitializer() : target;
  const declaredBefore =
    imported ||
    (target !== undefined && (Node.isFunctionDeclaration(target) || (Node.isVariableDeclaration(target) && target.getVariableStatement()?.getDeclarationKind() === 'const' && target.getEnd() < position)));
  if (factory.binding) return `${factory.awaited ? 'async ' : ''}() => (${factory.awaited ? 'await ' : ''}${factory.call.getText()}).${factory.binding.property}`;
  const bare = Node.isCallExpression(factory.call) && factory.call.getArguments().length === 0 && fn !== undefined && isFunctionLike(fn) && fn.getParameters().length === 0 && declaredBefore;
  return bare ? factory.callee.getText() : `() => ${factory.call.getText()}`;
}

/**
 * The statements a factory function is made of, with the comments directly above each one and the
 * blank lines between them as the author wrote them.
 */
export function movedStatements(statements: readonly Node[], from: (node: Node) => string, to: string): MovedStatement[] {
  return statements.map((statement, i) => {
    const text = statement.getSourceFile().getFullText();
    const start = statementStart(text, statement);
    const previous = statements[i - 1];
    const gap = previous ? text.slice(previous.getEnd(), start) : '';
    // A comment ending the statement's last line (`this.user = null; // Clear user after request`) goes with it.
    const trailing = statement
      .getTrailingCommentRanges()
      .filter((range) => !text.slice(statement.getEnd(), range.getPos()).includes('\n'))
      .map((range) => ` ${range.getText()}`)
      .join('');
    return { text: `${reindent(statement, from(statement), to, start)}${trailing}`, blankBefore: /\n[ \t]*\n/.test(gap) };
  });
}
