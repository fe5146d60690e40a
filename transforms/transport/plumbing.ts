import { Node, SyntaxKind, ts, type NewExpression, type ObjectLiteralExpression, type SourceFile } from 'ts-morph';
import { SERVE_METHODS, SESSION_HEADER, SESSION_HELPERS, SSE_SESSION_PARAM, TRANSPORT_CLASSES, type TransportClass } from '../../src/rules/transport-symbols.js';
import { bindingsFor } from './imports.js';
import type { Registration } from './routes.js';
import { declarationNodeOf, referencesIn } from '../shared/declarations.js';
import { descendantsOfKind, fileIndex, nodesOfKind, wrap } from '../shared/file-index.js';
import { enclosingFunction, isFunctionLike, thisAccessesIn, thisField, within, type FunctionLike, type Resolver } from './syntax.js';
import { inTurn } from '../../src/analysis/turns.js';

/** A `new <SDK transport>(…)` in the file. */
export interface Construction {
  node: NewExpression;
  cls: TransportClass;
}

/**
 * The session plumbing of one file: the declarations whose every use exists only to route sessions
 * (transport maps, per-session transports and servers, session-id variables, `isInitializeRequest`),
 * and the registered handlers that use them. Identity is by declaration, so a `session` variable in a
 * tool handler is never confused with the routing code's `session`.
 */
export interface Plumbing {
  constructions: Construction[];
  /** Declaration compiler nodes. */
  seeds: Set<ts.Node>;
  /** Registrations whose handler takes part in session routing. */
  registrations: Registration[];
  /** Whether anything here actually keeps sessions (v1 entries without that are already stateless). */
  sessionful: boolean;
  /**
   * Whether a handler connects one module-wide server to its per-request transport: stateless on the wire, but
   * requests served at once share that server's one connection (the SDK refuses a second `connect`).
   */
  sharedServer: boolean;
  /** Whether a node uses or declares plumbing (or constructs a transport). */
  touches(node: Node): boolean;
  /** The identifiers, constructions and declarations inside `node` that make it plumbing. */
  touchingNodes(node: Node): Node[];
  resolver: Resolver;
}

/** The SDK's transport class names, and a test for text that names one (a type, a construction). */
export const TRANSPORT_CLASS_NAMES: ReadonlySet<string> = new Set(TRANSPORT_CLASSES.map((cls) => cls.name));
const NAMES_TRANSPORT_CLASS = new RegExp(`\\b(?:${[...TRANSPORT_CLASS_NAMES].join('|')})\\b`);

export function namesTransportClass(text: string): boolean {
  return NAMES_TRANSPORT_CLASS.test(text);
}

export function findConstructions(file: SourceFile, kinds: ReadonlyArray<TransportClass['kind']>): Construction[] {
  const classes = bindingsFor(file, TRANSPORT_CLASSES.filter((c) => kinds.includes(c.kind)));
  if (classes.size === 0) return [];
  const out: Construction[] = [];
  const index = fileIndex(file);
  for (const node of descendantsOfKind(index, index.source, ts.SyntaxKind.NewExpression) as ts.NewExpression[]) {
    if (!ts.isIdentifier(node.expression)) continue;
    const cls = classes.get(declarationNodeOf(file, node.expression));
    if (cls) out.push({ node: wrap<NewExpression>(file, node), cls });
  }
  return out;
}

/** The object literal a construction is configured with, when it is written inline. */
export function optionsOf(construction: Construction): ObjectLiteralExpression | undefined {
  const [first] = construction.node.getArguments();
  return first && Node.isObjectLiteralExpression(first) ? first : undefined;
}

const SESSION_OPTIONS = ['onsessioninitialized', 'onsessionclosed', 'eventStore'];

/** Whether a construction keeps sessions (a session id generator, session callbacks, HTTP+SSE); undefined when its options are not written in place. */
export function constructsSessions(construction: Construction): boolean | undefined {
  if (construction.cls.kind === 'sse') return true;
  const args = construction.node.getArguments();
  if (args.length === 0) return false;
  const options = optionsOf(construction);
  if (!options) return undefined;
  for (const property of options.getProperties()) {
    const name = Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property) || Node.isMethodDeclaration(property) ? property.getName() : undefined;
    if (!name) return undefined;
    if (SESSION_OPTIONS.includes(name)) return true;
    if (name === 'sessionIdGenerator') {
      const value = Node.isPropertyAssignment(property) ? property.getInitializer()?.getText() : undefined;
      if (value !== 'undefined') return true;
    }
  }
  return false;
}

/**
 * The function around a construction whose session id generator answers the id the function was handed
 * (`sessionIdGenerator: () => sessionId`, `sessionId` a parameter), with the declaration that names it.
 */
function sessionRebuilder(construction: Construction, resolver: Resolver): { fn: FunctionLike; declaration: Node } | undefined {
  const generator = optionsOf(construction)?.getProperty('sessionIdGenerator');
  const value = generator && Node.isPropertyAssignment(generator) ? generator.getInitializer() : undefined;
  const answered = value && Node.isArrowFunction(value) ? value.getBody() : undefined;
  if (!answered || !Node.isIdentifier(answered)) return undefined;
  const parameter = resolver.of(answered);
  const fn = parameter && Node.isParameterDeclaration(parameter) ? parameter.getParent() : undefined;
  if (!fn || !isFunctionLike(fn) || !within(construction.node, fn)) return undefined;
  const declaration = Node.isFunctionDeclaration(fn) ? fn : fn.getParent();
  return declaration && (Node.isFunctionDeclaration(declaration) || Node.isVariableDeclaration(declaration)) ? { fn, declaration } : undefined;
}

/** The variable a value is stored into: `const x = value` or `x = value`. */
function storedInto(value: Node, resolver: Resolver): Node | undefined {
  let node = value;
  let parent = node.getParent();
  while (parent && (Node.isAsExpression(parent) || Node.isParenthesizedExpression(parent) || Node.isAwaitExpression(parent))) {
    node = parent;
    parent = parent.getParent();
  }
  if (parent && Node.isVariableDeclaration(parent) && parent.getInitializer() === node) return parent;
  if (parent && Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken && parent.getRight() === node) {
    const left = parent.getLeft();
    return Node.isIdentifier(left) ? resolver.of(left) : undefined;
  }
  return undefined;
}

function mentionsSessionId(initializer: Node): boolean {
  const nodes = [initializer, ...initializer.getDescendants()];
  for (const literal of nodes.filter(Node.isStringLiteral)) {
    const value = literal.getLiteralValue();
    if (value.toLowerCase() === SESSION_HEADER) return true;
    // `url.searchParams.get('sessionId')`: the HTTP+SSE message endpoint's session parameter.
    if (value === SSE_SESSION_PARAM && Node.isCallExpression(literal.getParent())) return true;
  }
  return nodes
    .filter(Node.isPropertyAccessExpression)
    .some((access) => access.getName() === SSE_SESSION_PARAM && /(^|\.)query$/.test(access.getExpression().getText()));
}

/** Whether a function hands a request to a transport itself (`transport.handleRequest(c)`). */
function servesRequests(fn: Node): boolean {
  return nodesOfKind(fn, SyntaxKind.CallExpression).some((call) => {
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) && SERVE_METHODS.includes(callee.getName());
  });
}

export function analysePlumbing(file: SourceFile, resolver: Resolver, registrations: readonly Registration[], constructions: readonly Construction[]): Plumbing {
  const seeds = new Set<ts.Node>();
  // Maps and session-id variables are what make an entry sessionful; the rest only follows from them.
  const sessionKeys = new Set<ts.Node>();
  const add = (node: Node | undefined, keysSessions = false) => {
    if (node && keysSessions) sessionKeys.add(node.compilerNode);
    if (node && !seeds.has(node.compilerNode)) {
      seeds.add(node.compilerNode);
      return true;
    }
    return false;
  };
  // Uses of seeds: names of variables, and `this.transports` where a class keeps the plumbing in a field.
  const seedUses = (node: Node): Node[] => [
    ...referencesIn(node).filter((id) => seeds.has(resolver.of(id)?.compilerNode as ts.Node)),
    ...thisAccessesIn(node).filter((access) => seeds.has(thisField(access)?.compilerNode as ts.Node)),
  ];
  const refersToSeed = (node: Node) => seedUses(node).length > 0;
  const touchingNodes = (node: Node): Node[] => [
    ...seedUses(node),
    ...constructions.filter((c) => within(c.node, node)).map((c) => c.node),
    ...[node, ...nodesOfKind(node, SyntaxKind.VariableDeclaration), ...(Node.isClassDeclaration(node) ? node.getProperties() : [])].filter((d) => seeds.has(d.compilerNode)),
  ];
  const touches = (node: Node) => touchingNodes(node).length > 0;

  const helpers = [...bindingsFor(file, SESSION_HELPERS).keys()] as ts.Node[];
  for (const node of helpers) seeds.add(node);
  for (const construction of constructions) add(storedInto(construction.node, resolver));
  const classNames = new Set(constructions.map((c) => c.node.getExpression().getText()));
  for (const declaration of nodesOfKind(file, SyntaxKind.VariableDeclaration)) {
    const type = declaration.getTypeNode();
    if (type && type.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => classNames.has(id.getText()))) add(declaration);
  }
  /**
   * A stored value that is plumbing itself: a seed, or an object or array holding one directly (`{ transport,
   * server }`). A closure that calls into a session's server (`{ send: (p) => server.notify(p) }`) is application
   * state about sessions, which the state checks look at, not routing.
   */
  const storesPlumbing = (value: Node): boolean => {
    let node = value;
    while (Node.isAsExpression(node) || Node.isParenthesizedExpression(node) || Node.isNonNullExpression(node) || Node.isSatisfiesExpression(node)) node = node.getExpression();
    if (Node.isIdentifier(node)) return seeds.has(resolver.of(node)?.compilerNode as ts.Node);
    if (Node.isPropertyAccessExpression(node) && thisField(node)) return seeds.has(thisField(node)!.compilerNode);
    if (Node.isArrayLiteralExpression(node)) return node.getElements().some(storesPlumbing);
    if (Node.isObjectLiteralExpression(node)) {
      return node.getProperties().some((p) => (Node.isShorthandPropertyAssignment(p) ? storesPlumbing(p.getNameNode()) : Node.isPropertyAssignment(p) && p.getInitializer() !== undefined && storesPlumbing(p.getInitializerOrThrow())));
    }
    return false;
  };
  /** Where a map is declared: a variable (`transports`), or a field of the class (`this.transports`). */
  const mapDeclaration = (target: Node): Node | undefined => (Node.isIdentifier(target) ? resolver.of(target) : thisField(target));
  // Maps that store transports: `transports[id] = transport`, `sessions.set(id, { transport, … })`, `this.transports[id] = …`.
  const addMaps = () => {
    let grew = false;
    for (const assignment of nodesOfKind(file, SyntaxKind.BinaryExpression)) {
      const left = assignment.getLeft();
      if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken || !Node.isElementAccessExpression(left)) continue;
      const target = left.getExpression();
      if (storesPlumbing(assignment.getRight())) grew = add(mapDeclaration(target), true) || grew;
    }
    for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      const value = call.getArguments()[1];
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'set' || !value || !storesPlumbing(value)) continue;
      grew = add(mapDeclaration(callee.getExpression()), true) || grew;
    }
    return grew;
  };
  addMaps();
  // A function that rebuilds the transport of a session it is handed (`getOrCreateInstances(sessionId)` with
  // `sessionIdGenerator: () => sessionId`, serving a session another node opened): calling it is session routing.
  for (const construction of constructions) {
    const rebuilder = sessionRebuilder(construction, resolver);
    if (rebuilder && !registrations.some((r) => r.handler === rebuilder.fn)) add(rebuilder.declaration, true);
  }

  // A handler that reads the session header routes sessions, even when the map lives behind a helper it calls
  // (`const transport = getSessionTransport(c.req.header('mcp-session-id'))`).
  const readsSessionHeader = (handler: FunctionLike) =>
    nodesOfKind(handler, SyntaxKind.VariableDeclaration).some((declaration) => {
      const initializer = declaration.getInitializer();
      return initializer !== undefined && mentionsSessionId(initializer);
    });
  const handlerNodes = () => registrations.filter((r) => touches(r.handler) || readsSessionHeader(r.handler)).map((r) => r.handler);
  const insideHandler = (node: Node, handlers: readonly FunctionLike[]) => handlers.some((h) => within(node, h));
  for (let grew = true; grew; ) {
    grew = false;
    const handlers = handlerNodes();
    for (const declaration of nodesOfKind(file, SyntaxKind.VariableDeclaration)) {
      if (seeds.has(declaration.compilerNode)) continue;
      const initializer = declaration.getInitializer();
      if (!initializer) continue;
      const inHandler = insideHandler(declaration, handlers);
      // A closure of the handler that serves the request is code the rewrite changes in place, not a value.
      if (inHandler && isFunctionLike(initializer) && servesRequests(initializer)) continue;
      // Outside handlers only direct uses count: `createServer(handler)` is not plumbing because its handler is.
      const direct = referencesIn(initializer).some((id) => seeds.has(resolver.of(id)?.compilerNode as ts.Node) && !id.getFirstAncestor((a) => isFunctionLike(a) && within(a, initializer)));
      const derived = inHandler ? refersToSeed(initializer) : direct;
      const sessionId = inHandler && mentionsSessionId(initializer);
      if (derived || sessionId) grew = add(declaration, sessionId) || grew;
    }
    // `let session; … session = sessions.get(id)!`: a handler's local given a value out of the plumbing is plumbing.
    for (const assignment of nodesOfKind(file, SyntaxKind.BinaryExpression)) {
      const left = assignment.getLeft();
      if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken || !Node.isIdentifier(left) || !insideHandler(assignment, handlers)) continue;
      const declaration = resolver.of(left);
      if (declaration && Node.isVariableDeclaration(declaration) && !declaration.getInitializer() && insideHandler(declaration, handlers) && refersToSeed(assignment.getRight())) grew = add(declaration) || grew;
    }
    // A server connected to a per-request transport inside a handler is per-session plumbing too.
    for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
      const callee = call.getExpression();
      const [arg] = call.getArguments();
      if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'connect' || !arg || !touches(arg)) continue;
      const receiver = callee.getExpression();
      if (!Node.isIdentifier(receiver) || !insideHandler(call, handlers)) continue;
      const declaration = resolver.of(receiver);
      const owner = declaration ? enclosingFunction(declaration) : undefined;
      if (declaration && owner && handlers.some((h) => within(owner, h))) grew = add(declaration) || grew;
    }
    grew = addMaps() || grew;
  }

  const mcp = registrations.filter((r) => touches(r.handler));
  const handlers = mcp.map((r) => r.handler);
  const sharedServer = nodesOfKind(file, SyntaxKind.CallExpression).some((call) => {
    const callee = call.getExpression();
    const [arg] = call.getArguments();
    if (!Node.isPropertyAccessExpression(callee) || callee.getName() !== 'connect' || !arg || !touches(arg) || !insideHandler(call, handlers)) return false;
    // Requests that take turns with the one server already (what this transform writes for it).
    if (inTurn(call)) return false;
    let receiver: Node = callee.getExpression();
    while (Node.isNonNullExpression(receiver) || Node.isParenthesizedExpression(receiver)) receiver = receiver.getExpression();
    // `this.mcpServer.connect(transport)`: the one server a field of the handler's object holds.
    if (Node.isPropertyAccessExpression(receiver) && receiver.getExpression().getKind() === SyntaxKind.ThisKeyword) return true;
    const declaration = Node.isIdentifier(receiver) ? resolver.of(receiver) : undefined;
    return declaration !== undefined && Node.isVariableDeclaration(declaration) && enclosingFunction(declaration) === undefined;
  });
  const helperUsed = referencesIn(file).some((id) => helpers.includes(resolver.of(id)?.compilerNode as ts.Node));
  const sessionful = constructions.some((c) => constructsSessions(c) === true) || sessionKeys.size > 0 || helperUsed;
  return { constructions: [...constructions], seeds, registrations: mcp, sessionful, sharedServer, touches, touchingNodes, resolver };
}
