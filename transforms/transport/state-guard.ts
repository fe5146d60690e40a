import { Node, SyntaxKind, VariableDeclarationKind, type SourceFile, type ts } from 'ts-morph';
import { CONTAINER_CONSTRUCTORS, COUNTING_METHODS, KEYED_METHODS, MUTATING_METHODS, SESSION_COUNT_NAME, SESSION_ID_PROPERTIES } from '../../src/rules/transport-state.js';
import { referencesIn, referencesTo } from '../shared/declarations.js';
import type { Plumbing } from './plumbing.js';
import { enclosingFunction, thisField, within, type FunctionLike, type Resolver } from './syntax.js';
import { nodesOfKind } from '../shared/file-index.js';
import { classKeepsState, classNamed, type ProjectLookup } from './followed.js';
import { usedOnlyWhere } from '../shared/local-uses.js';

/**
 * The checks that keep the transport rewrite from silently changing what a server does:
 * - factory-closure state (P5): variables of the server factory that tool handlers change. One server per
 *   session kept them alive per session; one server per request starts them empty every request.
 * - session-keyed state (P1): maps keyed by the session id. Without sessions every client would share
 *   the entry keyed by `undefined`.
 * Either finding stops the rewrite; the state transforms (which run first) turn such state into handles.
 */
export interface StateFinding {
  node: Node;
  name: string;
  /** A per-connection object (`const context = new Context(…)`): the class it is an instance of. */
  instanceOf?: string;
  /** Where the state is declared, when that is not `node` (a keyed access names its collection). */
  declaration?: Node;
}

export function assignedIn(ref: Node): boolean {
  const parent = ref.getParent();
  if (!parent) return false;
  if (Node.isBinaryExpression(parent) && parent.getLeft() === ref) {
    const kind = parent.getOperatorToken().getKind();
    return kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment;
  }
  if (Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) {
    const op = parent.getOperatorToken();
    return op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken;
  }
  return false;
}

/** `x.push(…)`, `x.set(…)`, `x[k] = …`, `x.p = …`, `delete x[k]`, `x.count++`. */
export function mutatedThrough(ref: Node): boolean {
  const parent = ref.getParent();
  if (!parent) return false;
  if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === ref) {
    const call = parent.getParent();
    if (call && Node.isCallExpression(call) && call.getExpression() === parent && MUTATING_METHODS.includes(parent.getName())) return true;
    if (assignedIn(parent)) return true;
    const grand = parent.getParent();
    if (grand && Node.isDeleteExpression(grand)) return true;
  }
  if (Node.isElementAccessExpression(parent) && parent.getExpression() === ref) {
    const grand = parent.getParent();
    return assignedIn(parent) || (grand !== undefined && Node.isDeleteExpression(grand));
  }
  return false;
}

/**
 * Application state the session code wrote (`needsElicitation[id] = …` in `onsessioninitialized`, `delete
 * registry[sid]` in `onclose`): the rewrite removes that code, so those writes would silently stop. Plumbing,
 * the handlers' own variables and parameters (`res.statusCode = 404`) and what goes with the code are not state.
 * `kept`: parts of the going code that live on: route registrations (`app.delete('/mcp', …)` is rewritten, not
 * dropped, and does not change `app`) and what a response's close listener did besides closing the transport.
 */
export function droppedWrites(going: readonly Node[], plumbing: Plumbing, handlers: readonly FunctionLike[], resolver: Resolver, kept: readonly Node[]): StateFinding[] {
  const findings = new Map<string, StateFinding>();
  for (const node of going) {
    for (const id of referencesIn(node)) {
      if (kept.some((part) => within(id, part))) continue;
      if (!assignedIn(id) && !mutatedThrough(id)) continue;
      const declaration = resolver.of(id);
      if (!declaration || !Node.isVariableDeclaration(declaration) || plumbing.seeds.has(declaration.compilerNode)) continue;
      if (going.some((g) => within(declaration, g)) || handlers.some((h) => within(declaration, h))) continue;
      if (!findings.has(id.getText())) findings.set(id.getText(), { node: id, name: id.getText(), declaration });
    }
  }
  return [...findings.values()];
}

/**
 * A metric that counts sessions (`activeSessionsGauge.inc()` in `onsessioninitialized`): its name says so and
 * every write is a count. With the sessions gone it has nothing left to count, so its writes go with them.
 */
export function countsSessions(finding: StateFinding): boolean {
  if (!SESSION_COUNT_NAME.test(finding.name) || !finding.declaration) return false;
  return referencesTo(finding.declaration).every(counts);
}

/**
 * Bookkeeping of the sessions and nothing else (`sessionManager.createSession(sid)`, `.touchSession(sid)`,
 * `.terminateSession(sid)`, `sessionManager.onSessionExpired = …`): a variable of the entry whose every use goes
 * with the session code, directly or inside a helper only that code calls. With the sessions gone nothing reads
 * it, so its declaration goes too. The statement declaring it, or undefined when it is anything more.
 */
export function sessionBookkeeping(finding: StateFinding, going: readonly Node[]): Node | undefined {
  const declaration = finding.declaration;
  if (!declaration || !Node.isVariableDeclaration(declaration)) return undefined;
  const statement = declaration.getVariableStatement();
  if (!statement || statement.getDeclarations().length !== 1 || statement.isExported()) return undefined;
  if (!ownsItsValue(declaration.getInitializer())) return undefined;
  const goes = (node: Node) => going.some((g) => within(node, g));
  const uses = referencesTo(declaration);
  return uses.length > 0 && uses.every((use) => goes(use) || insideHelperOf(use, goes)) ? statement : undefined;
}

/**
 * A value the variable alone holds: one it builds (`new SessionRegistry(…)`), or one a sessions class hands out
 * (`SessionManager.getInstance(…)`). Writes through an alias (`const handshakes = openSessions`) change what
 * another name holds.
 */
function ownsItsValue(initializer: Node | undefined): boolean {
  if (!initializer) return false;
  if (Node.isNewExpression(initializer)) return true;
  return Node.isCallExpression(initializer) && /session/i.test(initializer.getExpression().getText());
}

/** Whether a use sits in a function declared by a statement whose every use `goes` (a helper of the session code). */
function insideHelperOf(use: Node, goes: (node: Node) => boolean): boolean {
  for (let fn = enclosingFunction(use); fn; fn = enclosingFunction(fn)) {
    const holder = Node.isFunctionDeclaration(fn) ? fn : fn.getParent()?.getParent()?.getParent();
    if (!holder || !(Node.isFunctionDeclaration(holder) || Node.isVariableStatement(holder))) continue;
    if (usedOnlyWhere(holder, goes)) return true;
  }
  return false;
}

/** `gauge.inc()`, `gauge.set(n)`, `count++`, `count -= 1`: a reference that only counts. */
function counts(ref: Node): boolean {
  const parent = ref.getParent();
  if (Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) return true;
  if (Node.isBinaryExpression(parent) && parent.getLeft() === ref) return [SyntaxKind.PlusEqualsToken, SyntaxKind.MinusEqualsToken].includes(parent.getOperatorToken().getKind());
  const call = parent?.getParent();
  return Node.isPropertyAccessExpression(parent) && COUNTING_METHODS.includes(parent.getName()) && Node.isCallExpression(call) && call.getExpression() === parent && call.getArguments().length <= 1;
}

/** Counts of the sessions (`activeSessions.inc()`, `openSessions++`) that code about to go makes: one finding per count. */
export function sessionMetricsCountedIn(going: readonly Node[], resolver: Resolver): StateFinding[] {
  const findings = new Map<string, StateFinding>();
  for (const node of going) {
    for (const id of referencesIn(node)) {
      const declaration = resolver.of(id);
      if (!declaration || !Node.isVariableDeclaration(declaration) || going.some((g) => within(declaration, g))) continue;
      if (findings.has(id.getText()) || !SESSION_COUNT_NAME.test(id.getText()) || !counts(id)) continue;
      findings.set(id.getText(), { node: id, name: id.getText(), declaration });
    }
  }
  return [...findings.values()];
}

function holdsObject(initializer: Node | undefined): boolean {
  if (!initializer) return false;
  if (Node.isArrayLiteralExpression(initializer) || Node.isObjectLiteralExpression(initializer)) return true;
  if (Node.isNewExpression(initializer)) {
    const name = initializer.getExpression().getText();
    return CONTAINER_CONSTRUCTORS.includes(name) || /^[A-Z]/.test(name);
  }
  return false;
}

/**
 * A nested function that only reacts to an event of the connection (`server.server.oninitialized = …`,
 * `transport.onclose = …`, `emitter.on('close', …)`). Served per request it still runs with its request; what
 * it caches from the client (capabilities, versions) is the per-request-context transform's business.
 */
function isEventCallback(fn: Node): boolean {
  const parent = fn.getParent();
  if (parent && Node.isBinaryExpression(parent) && parent.getRight() === fn) {
    const left = parent.getLeft();
    return Node.isPropertyAccessExpression(left) && /^on[a-z]/.test(left.getName());
  }
  if (parent && Node.isCallExpression(parent) && parent.getArguments().includes(fn as never)) {
    const callee = parent.getExpression();
    return Node.isPropertyAccessExpression(callee) && ['on', 'once', 'addListener'].includes(callee.getName());
  }
  return false;
}

/** Whether a reference runs from a function nested in the factory that serves requests (not an event callback). */
function servedFrom(ref: Node, factory: FunctionLike): boolean {
  let nested = false;
  for (let fn = enclosingFunction(ref); fn && fn !== factory; fn = enclosingFunction(fn)) {
    if (isEventCallback(fn)) return false;
    nested = true;
  }
  return nested;
}

/** `this.tabs.push(…)`, `this.current = …`: a field that changes in place or is reassigned. */
const changesField = (access: Node) => assignedIn(access) || mutatedThrough(access);

/**
 * Variables of a factory that the functions serving requests reassign or mutate, and per-connection objects
 * they use: a `const` holding an instance of one of this project's classes whose fields change after
 * construction (a browser context with its tabs, a session with its connection). One server per session kept
 * each alive for the session; one server per request builds a fresh one for every request.
 */
export function factoryClosureState(factory: FunctionLike, resolver: Resolver, lookup: ProjectLookup): StateFinding[] {
  const body = factory.getBody();
  if (!body) return [];
  const findings: StateFinding[] = [];
  for (const declaration of nodesOfKind(body, SyntaxKind.VariableDeclaration)) {
    if (enclosingFunction(declaration) !== factory) continue;
    const name = declaration.getNameNode();
    if (!Node.isIdentifier(name)) continue;
    const captured = referencesIn(body).filter((id) => id.getText() === name.getText() && resolver.of(id)?.compilerNode === declaration.compilerNode && servedFrom(id, factory));
    if (captured.length === 0) continue;
    const list = declaration.getParent();
    const reassignable = Node.isVariableDeclarationList(list) && list.getDeclarationKind() !== VariableDeclarationKind.Const;
    const reassigned = reassignable && captured.some(assignedIn);
    const initializer = declaration.getInitializer();
    const mutated = holdsObject(initializer) && captured.some(mutatedThrough);
    if (reassigned || mutated) {
      findings.push({ node: declaration, name: name.getText() });
      continue;
    }
    const built = initializer && Node.isNewExpression(initializer) ? initializer.getExpression() : undefined;
    const cls = built && Node.isIdentifier(built) ? classNamed(built, resolver, lookup) : undefined;
    if (cls && classKeepsState(cls, changesField)) findings.push({ node: declaration, name: name.getText(), instanceOf: cls.getName() ?? built?.getText() });
  }
  return findings;
}

function mentionsSessionId(key: Node, sessionVariables: ReadonlySet<ts.Node>, resolver: Resolver): boolean {
  const nodes = [key, ...key.getDescendants()];
  return nodes.some(
    (n) =>
      (Node.isPropertyAccessExpression(n) && SESSION_ID_PROPERTIES.includes(n.getName())) ||
      (Node.isIdentifier(n) && sessionVariables.has(resolver.of(n)?.compilerNode as ts.Node)),
  );
}

/**
 * Collections indexed by a session id (`carts.get(extra.sessionId)`, `state[transport.sessionId] = …`),
 * one finding per collection. `plumbing` holds the routing declarations (the transports map is not
 * application state); `sessionVariables` the session-id variables of the routing code.
 */
export function sessionKeyedState(file: SourceFile, resolver: Resolver, plumbing: ReadonlySet<ts.Node>, sessionVariables: ReadonlySet<ts.Node>): StateFinding[] {
  const findings = new Map<string, StateFinding>();
  const consider = (target: Node, key: Node | undefined, at: Node) => {
    if (!key || !mentionsSessionId(key, sessionVariables, resolver)) return;
    const root = Node.isIdentifier(target) ? resolver.of(target) : thisField(target);
    if (root && plumbing.has(root.compilerNode)) return;
    const name = target.getText();
    if (!findings.has(name)) findings.set(name, { node: at, name, declaration: root });
  };
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    // A one-argument `set` (`activeSessionsGauge.set(sessions.size)`) sets a value, it keys nothing.
    const keyed = Node.isPropertyAccessExpression(callee) && KEYED_METHODS.includes(callee.getName()) && !(callee.getName() === 'set' && call.getArguments().length < 2);
    if (keyed) consider(callee.getExpression(), call.getArguments()[0], call);
  }
  for (const access of nodesOfKind(file, SyntaxKind.ElementAccessExpression)) {
    consider(access.getExpression(), access.getArgumentExpression(), access);
  }
  return [...findings.values()];
}
