/**
 * State a server keeps for the whole process on purpose, recognised by how it is used rather than by its name:
 * a counter that only mints ids, contents flushed to a file the server chooses, a flag set from the request at
 * the start of every call. Tools write such state, yet no conversation owns it: the audit reports nothing and
 * no transform gives it a handle (see SharedPurpose and conversational.ts).
 */
import { Node, SyntaxKind, type CallExpression, type ClassDeclaration, type ClassExpression, type Identifier, type IfStatement } from 'ts-morph';
import { FILE_READS, FILE_WRITES, ID_NAMES, LISTENING_MODULES, PORT_NAMES, REPORTING_CALLS } from '../rules/scope-state.js';
import { membersOf } from './classes.js';
import { ENVELOPE_READ } from './vocabulary.js';
import { resolveFunction } from './functions.js';
import type { AnalysisContext } from './context.js';
import type { Registration, SharedPurpose, StateAccess, StateVariable } from './model.js';
import type { Origins } from './origins.js';
import type { Reach } from './reach.js';
import { enclosingFunction, isFunctionBoundary, isNullish, nameText, outermostWrapper, projectClassBuilt, unwrap } from './syntax.js';

export function sharedPurposeOf(ctx: AnalysisContext, reach: Reach, origins: Origins, state: StateVariable): SharedPurpose | undefined {
  // What a web server of the project's own keeps (its WebSocket server, its connected sockets) is that server's.
  if (state.kind === 'class-field' && state.ownerClass && !state.holdsTransports && state.dependence !== 'session-keyed' && isOwnWebServer(state.ownerClass)) return 'listener';
  if (state.holdsTransports || state.holdsUpstreams || state.dependence === 'session-keyed') return undefined;
  // Before the per-connection rule below: a warning given once per process is the process's wherever the set lives.
  if (isWarnOnce(state)) return 'warn-once';
  if (state.container === 'map' || state.container === 'set') return undefined;
  if (state.accesses.every((a) => a.mode === 'read') || !state.accesses.some((a) => a.by.length > 0)) return undefined;
  // Before the per-connection rule below: a connection's copy of the client's info is the client's, not a conversation's.
  if (isClientCopy(ctx, reach, state)) return 'client-context';
  // A port is the process's, whatever object holds the server listening on it.
  if (isListener(ctx, state)) return 'listener';
  // What one conversation's object holds (a notebook's next cell id) is that conversation's, whatever its shape.
  if (state.kind === 'factory-closure' || state.perConnectionClass) return undefined;
  if (isIdCounter(state)) return 'id-counter';
  if (isPersisted(ctx, origins, state)) return 'persisted';
  if (isPerCall(reach, origins, state)) return 'per-call';
  if (isRebuilt(ctx, origins, state)) return 'rebuilt';
  if (isSetOnce(ctx, state)) return 'set-once';
  if (isCallScoped(state) || isInFlightGuard(state)) return 'call-scoped';
  if (isNeverFilled(state)) return 'never-filled';
  return undefined;
}

// ---- warnings given once -----------------------------------------------------------------------------

/**
 * A set whose every use is a guard that says something once per key (`if (!warned.has(host)) { warned.add(host);
 * console.warn(…) }`): what it keeps decides only whether a message is repeated, never what a call does.
 */
function isWarnOnce(state: StateVariable): boolean {
  if (state.container !== 'set' || state.accesses.length === 0) return false;
  return state.accesses.every((access) => {
    const member = access.node.getParent();
    const call = member?.getParent();
    if (!member || !Node.isPropertyAccessExpression(member) || member.getExpression() !== access.node || !call || !Node.isCallExpression(call) || call.getExpression() !== member) return false;
    const guard = member.getName() === 'has' ? guardTestedBy(call) : member.getName() === 'add' ? guardAround(call) : undefined;
    return guard !== undefined && onlyReportsOnce(guard, access.node.getText());
  });
}

/** The `if` whose condition tests `call` (`!warned.has(key)` among other conditions). */
function guardTestedBy(call: Node): IfStatement | undefined {
  const statement = call.getFirstAncestor((a) => Node.isIfStatement(a));
  return statement && Node.isIfStatement(statement) && statement.getExpression().getDescendants().includes(call) ? statement : undefined;
}

/** The `if` whose then-block holds `call` as a statement of its own. */
function guardAround(call: Node): IfStatement | undefined {
  const statement = call.getParent();
  const block = statement?.getParent();
  const guard = block?.getParent();
  return statement && Node.isExpressionStatement(statement) && block && Node.isBlock(block) && guard && Node.isIfStatement(guard) && guard.getThenStatement() === block ? guard : undefined;
}

/** The guard tests `!set.has(…)`, has no else, and its block adds to the set and otherwise only reports. */
function onlyReportsOnce(guard: IfStatement, set: string): boolean {
  const then = guard.getThenStatement();
  if (guard.getElseStatement() || !Node.isBlock(then)) return false;
  const tests = guard.getExpression().getDescendantsOfKind(SyntaxKind.PrefixUnaryExpression).some((not) => not.getOperatorToken() === SyntaxKind.ExclamationToken && not.getOperand().getText().startsWith(`${set}.has(`));
  if (!tests) return false;
  let adds = false;
  for (const statement of then.getStatements()) {
    const expression = Node.isExpressionStatement(statement) ? unwrap(statement.getExpression()) : undefined;
    if (!expression || !Node.isCallExpression(expression)) return false;
    const callee = expression.getExpression().getText();
    if (callee === `${set}.add`) adds = true;
    else if (!REPORTING_CALLS.test(callee)) return false;
  }
  return adds;
}

// ---- listeners -----------------------------------------------------------------------------------------

/**
 * A server the process listens with (`this.server = new WebUIServer(…)`, whose `start(port)` calls `listen`;
 * `this.httpServer = http.createServer(app)`), or the port it took, written where such a server is started
 * (`this.currentPort = port` beside it): only one listener can hold a port, so no conversation owns it.
 */
function isListener(ctx: AnalysisContext, state: StateVariable): boolean {
  if (state.container) return false;
  const writes = state.accesses.filter((a) => a.mode === 'write' && a.value !== undefined && !isNullish(a.value));
  if (writes.length === 0) return false;
  if (writes.every((w) => listens(ctx, w.value!))) return true;
  return PORT_NAMES.test(state.name) && writes.every((w) => {
    const holder = enclosingFunction(w.node);
    return holder !== undefined && startsListener(ctx, holder);
  });
}

/** A value that is a listening server: made by a listen call, or an instance of a class that listens. */
function listens(ctx: AnalysisContext, value: Node): boolean {
  const inner = unwrap(Node.isAwaitExpression(value) ? value.getExpression() : value);
  if (Node.isCallExpression(inner)) return isListenCall(inner) || isNodeServerMade(inner);
  const cls = projectClassBuilt(inner);
  if (!cls) return false;
  let known = listeningClasses.get(cls);
  if (known === undefined) {
    known = membersOf(ctx, cls).some((member) => callsListen(member));
    listeningClasses.set(cls, known);
  }
  return known;
}

/** Whether a function starts a listener itself: a listen call, or a listening value it builds. */
function startsListener(ctx: AnalysisContext, fn: Node): boolean {
  return callsListen(fn) || fn.getDescendantsOfKind(SyntaxKind.NewExpression).some((made) => listens(ctx, made));
}

function callsListen(node: Node): boolean {
  return node.getDescendantsOfKind(SyntaxKind.CallExpression).some(isListenCall);
}

/**
 * A class that listens on a port itself (a method calls `listen`) and has nothing of MCP in it: a web UI or an
 * admin server beside the MCP server, not the MCP server (whose tools may keep a conversation's state).
 */
function isOwnWebServer(cls: ClassDeclaration | ClassExpression): boolean {
  let known = ownWebServers.get(cls);
  if (known === undefined) {
    known = callsListen(cls) && !MCP_WORDS.test(cls.getText());
    ownWebServers.set(cls, known);
  }
  return known;
}

/** Answers per class: every field of a class asks the same question. */
const ownWebServers = new WeakMap<Node, boolean>();
const listeningClasses = new WeakMap<Node, boolean>();

const MCP_WORDS = /McpServer|registerTool|setRequestHandler|\.tool\(|\.resource\(|\.prompt\(|@modelcontextprotocol|Transport\b/;

/** `server.listen(port)`, `app.listen(port)`: what it returns (and what it is called on) listens. */
function isListenCall(call: CallExpression): boolean {
  const callee = unwrap(call.getExpression());
  return Node.isPropertyAccessExpression(callee) && callee.getName() === 'listen';
}

/** `http.createServer(app)`, `net.createServer()`: Node's own servers, not an MCP server factory of the same name. */
function isNodeServerMade(call: CallExpression): boolean {
  const callee = unwrap(call.getExpression());
  if (Node.isPropertyAccessExpression(callee)) return callee.getName() === 'createServer' && LISTENING_MODULES.test(callee.getExpression().getText());
  // `import { createServer } from 'http'`.
  const imported = Node.isIdentifier(callee) ? callee.getSymbol()?.getDeclarations()[0] : undefined;
  return imported !== undefined && Node.isImportSpecifier(imported) && imported.getName() === 'createServer' && LISTENING_MODULES.test(imported.getImportDeclaration().getModuleSpecifierValue());
}

// ---- rebuilt values ------------------------------------------------------------------------------------

/**
 * Every write assigns the value it started with, from inputs no call decides (`this.api =
 * this.kc.makeApiClient(CoreV1Api)` in the constructor and again in a `reconnect` tool): a call that writes it
 * refreshes the server's own value; what it holds is the same for every conversation.
 */
function isRebuilt(ctx: AnalysisContext, origins: Origins, state: StateVariable): boolean {
  if (state.container || (state.kind !== 'class-field' && state.kind !== 'module')) return false;
  const writes = state.accesses.filter((a) => a.mode === 'write');
  if (writes.length === 0 || writes.some((w) => w.op !== 'assign' || !w.value || w.valueFromInput)) return false;
  const initial = Node.isVariableDeclaration(state.declaration) || Node.isPropertyDeclaration(state.declaration) ? state.declaration.getInitializer() : undefined;
  const built = writes.some((w) => Node.isConstructorDeclaration(enclosingFunction(w.node) ?? w.node));
  if (!initial && !built) return false;
  const text = (node: Node) => node.getText().replace(/\s+/g, '');
  const values = [...writes.map((w) => w.value!), ...(initial ? [initial] : [])];
  if (new Set(values.map(text)).size !== 1) return false;
  return values.every((value) => fixedPath(ctx, origins, value, state.ownerClass) && !readsLocals(ctx, value));
}

/** Whether an expression names a parameter or local of the function it is in (what one call decides). */
function readsLocals(ctx: AnalysisContext, value: Node): boolean {
  const fn = enclosingFunction(value);
  if (!fn) return false;
  return [value, ...value.getDescendantsOfKind(SyntaxKind.Identifier)].some((id) => {
    if (!Node.isIdentifier(id)) return false;
    const binding = ctx.resolver.resolve(id);
    return binding?.kind === 'declaration' && binding.node.getAncestors().includes(fn);
  });
}

// ---- set once ------------------------------------------------------------------------------------------

/**
 * Written only by a function that runs its body once per process (`if (loaded) return module; loaded = true;
 * module = await import('keytar')`), from nothing a call passes: the flag and what it guards are the server's.
 */
function isSetOnce(ctx: AnalysisContext, state: StateVariable): boolean {
  if (isInitialisedLatch(state)) return true;
  if (state.kind !== 'module') return false;
  const writes = state.accesses.filter((a) => a.mode === 'write');
  return (
    writes.length > 0 &&
    writes.every((write) => {
      const fn = enclosingFunction(write.node);
      const latch = fn && onceLatch(ctx, fn);
      if (!latch) return false;
      // The latch itself is set to `true` once, right after its guard; other values come from what the
      // function (which takes no parameters) loads or builds itself.
      if (latch === state.declaration) return write.value !== undefined && unwrap(write.value).getKind() === SyntaxKind.TrueKeyword;
      return !write.valueFromInput;
    })
  );
}

/**
 * A flag that only ever becomes `true`, set by functions that take nothing from their caller (`this.initialized =
 * true` at the end of an `initialize()` that makes a cache folder): it says the server's own set-up ran, which is
 * the same for every conversation. A flag a tool sets from what it was given (`loggedIn = true` after checking a
 * password) is set in a function with parameters, and stays a conversation's.
 */
function isInitialisedLatch(state: StateVariable): boolean {
  const declaration = state.declaration;
  const initial = Node.isVariableDeclaration(declaration) || Node.isPropertyDeclaration(declaration) ? declaration.getInitializer() : undefined;
  if (initial !== undefined && unwrap(initial).getKind() !== SyntaxKind.FalseKeyword) return false;
  const writes = state.accesses.filter((a) => a.mode === 'write');
  return (
    writes.length > 0 &&
    writes.every((write) => {
      const fn = enclosingFunction(write.node);
      const parameters = fn && 'getParameters' in fn ? (fn as unknown as { getParameters(): unknown[] }).getParameters() : undefined;
      return write.op === 'assign' && write.value !== undefined && unwrap(write.value).getKind() === SyntaxKind.TrueKeyword && parameters !== undefined && parameters.length === 0 && !setsOtherState(fn!, state.name);
    })
  );
}

/** Whether a function also assigns another field or module variable (`ensureBrowser()` sets the browser with its flag). */
function setsOtherState(fn: Node, flag: string): boolean {
  return fn.getDescendantsOfKind(SyntaxKind.BinaryExpression).some((assignment) => {
    if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return false;
    const left = unwrap(assignment.getLeft());
    if (Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword) return left.getName() !== flag;
    if (!Node.isIdentifier(left) || left.getText() === flag) return false;
    const declaration = left.getSymbol()?.getDeclarations()[0];
    return declaration !== undefined && !declaration.getAncestors().includes(fn);
  });
}

/**
 * The module flag a function guards its body with, when it does so to run at most once: its first statement
 * returns when the flag is set, its second sets it to `true`, and nothing else ever writes the flag.
 */
function onceLatch(ctx: AnalysisContext, fn: Node): Node | undefined {
  const body = (fn as Node & { getBody?(): Node | undefined }).getBody?.();
  if (!body || !Node.isBlock(body) || ('getParameters' in fn && (fn as unknown as { getParameters(): unknown[] }).getParameters().length > 0)) return undefined;
  const [guard, set] = body.getStatements();
  if (!guard || !set || !Node.isIfStatement(guard) || guard.getElseStatement()) return undefined;
  const exits = guard.getThenStatement();
  const exit = Node.isBlock(exits) ? exits.getStatements()[0] : exits;
  if (!exit || !Node.isReturnStatement(exit) || (Node.isBlock(exits) && exits.getStatements().length !== 1)) return undefined;
  const flag = unwrap(guard.getExpression());
  if (!Node.isIdentifier(flag) || !Node.isExpressionStatement(set)) return undefined;
  const assignment = set.getExpression();
  if (!Node.isBinaryExpression(assignment) || assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return undefined;
  if (assignment.getLeft().getText() !== flag.getText() || assignment.getRight().getKind() !== SyntaxKind.TrueKeyword) return undefined;
  const binding = ctx.resolver.resolve(flag);
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node) || enclosingFunction(binding.node)) return undefined;
  const declaration = binding.node;
  // Nothing else sets the flag (a reset would run the body again).
  const name = declaration.getName();
  const others = declaration
    .getSourceFile()
    .getDescendantsOfKind(SyntaxKind.BinaryExpression)
    .filter((b) => b !== assignment && b.getOperatorToken().getKind() === SyntaxKind.EqualsToken && b.getLeft().getText() === name);
  return others.length === 0 ? declaration : undefined;
}

// ---- call-scoped fields -------------------------------------------------------------------------------

/**
 * A field one method sets and its `finally` releases (`this.browser = await launch()` … `finally { await
 * this.cleanup(); }`), used only by that method and the methods only it calls: it lives for one call.
 */
function isCallScoped(state: StateVariable): boolean {
  const owner = state.ownerClass;
  if (state.kind !== 'class-field' || !owner) return false;
  const methodOf = (node: Node) => node.getFirstAncestor((a) => Node.isMethodDeclaration(a));
  const sets = state.accesses.filter((a) => a.mode === 'write' && !a.reset);
  const main = sets[0] && methodOf(sets[0].node);
  if (!main || !Node.isMethodDeclaration(main) || sets.some((a) => methodOf(a.node) !== main)) return false;
  const finallies = main.getDescendantsOfKind(SyntaxKind.TryStatement).flatMap((t) => (t.getFinallyBlock() ? [t.getFinallyBlock()!] : []));
  if (finallies.length === 0) return false;
  // Methods only `main` calls (through `this.name(…)`), and the methods only those call, and so on.
  const helpers = new Set<Node>([main]);
  const selfCalls = owner.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).filter((p) => p.getExpression().getKind() === SyntaxKind.ThisKeyword);
  for (let grown = true; grown; ) {
    grown = false;
    for (const method of owner.getMethods()) {
      if (helpers.has(method)) continue;
      const calls = selfCalls.filter((p) => p.getName() === method.getName());
      if (calls.length > 0 && calls.every((call) => helpers.has(methodOf(call) ?? call))) {
        helpers.add(method);
        grown = true;
      }
    }
  }
  if (!state.accesses.every((a) => helpers.has(methodOf(a.node) ?? a.node))) return false;
  // The release runs in `finally`: a reset there, or a call of a helper that resets.
  const resets = state.accesses.filter((a) => a.reset);
  return resets.some((reset) => {
    if (finallies.some((block) => reset.node.getAncestors().includes(block))) return true;
    const releaser = methodOf(reset.node);
    const name = releaser && Node.isMethodDeclaration(releaser) ? releaser.getName() : undefined;
    return name !== undefined && finallies.some((block) => block.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).some((p) => p.getName() === name && p.getExpression().getKind() === SyntaxKind.ThisKeyword));
  });
}

// ---- in-flight guards ----------------------------------------------------------------------------------

/**
 * A depth counter or busy flag a function raises and its own `finally` puts back (`retryDepth++; try { … }
 * finally { retryDepth--; }`, `validating = true; try { … } finally { validating = false; }`): between calls it
 * is always back where it started, so it guards one call's recursion or overlap, not what a conversation keeps.
 */
function isInFlightGuard(state: StateVariable): boolean {
  if (state.container || (state.kind !== 'module' && state.kind !== 'class-field')) return false;
  const initial = Node.isVariableDeclaration(state.declaration) || Node.isPropertyDeclaration(state.declaration) ? state.declaration.getInitializer() : undefined;
  if (!initial || !/^(?:0|false)$/.test(initial.getText())) return false;
  const writes = state.accesses.filter((a) => a.mode === 'write');
  if (writes.length === 0) return false;
  const restores = (access: StateAccess) => restoreOf(access.node, initial.getText()) && inFinallyOfOwnFunction(access.node);
  return writes.every((write) => {
    // Put back in a `finally`, or set to where it starts anywhere (`resetDepth() { depth = 0; }`).
    if (restores(write) || resetTo(write.node, initial.getText())) return true;
    // A raise: its own function puts the value back in a `finally`.
    const fn = enclosingFunction(write.node);
    return raiseOf(write.node) && fn !== undefined && writes.some((other) => other !== write && enclosingFunction(other.node) === fn && restores(other));
  });
}

/** `x++`, `++x`, `x += 1`, `x = true`: the guard raised. */
function raiseOf(reference: Node): boolean {
  const parent = outermostWrapper(reference).getParent();
  if (Node.isPostfixUnaryExpression(parent) || Node.isPrefixUnaryExpression(parent)) return parent.getOperatorToken() === SyntaxKind.PlusPlusToken;
  if (!Node.isBinaryExpression(parent)) return false;
  const operator = parent.getOperatorToken().getKind();
  return (operator === SyntaxKind.PlusEqualsToken && parent.getRight().getText() === '1') || (operator === SyntaxKind.EqualsToken && parent.getRight().getText() === 'true');
}

/** `x--`, `--x`, `x -= 1`, `x = <initial>`: the guard put back. */
function restoreOf(reference: Node, initial: string): boolean {
  const parent = outermostWrapper(reference).getParent();
  if (Node.isPostfixUnaryExpression(parent) || Node.isPrefixUnaryExpression(parent)) return parent.getOperatorToken() === SyntaxKind.MinusMinusToken;
  if (!Node.isBinaryExpression(parent)) return false;
  const operator = parent.getOperatorToken().getKind();
  return (operator === SyntaxKind.MinusEqualsToken && parent.getRight().getText() === '1') || (operator === SyntaxKind.EqualsToken && parent.getRight().getText() === initial);
}

/** `x = <initial>`. */
function resetTo(reference: Node, initial: string): boolean {
  const parent = outermostWrapper(reference).getParent();
  return Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken && parent.getLeft() === outermostWrapper(reference) && parent.getRight().getText() === initial;
}

/** Inside a `finally` block of a `try` of the function it is in (not of a nested function). */
function inFinallyOfOwnFunction(node: Node): boolean {
  const fn = enclosingFunction(node);
  return node.getAncestors().some((ancestor) => {
    const attempt = ancestor.getParent();
    return Node.isTryStatement(attempt) && attempt.getFinallyBlock() === ancestor && enclosingFunction(attempt) === fn;
  });
}

// ---- collections nothing fills -------------------------------------------------------------------------

/**
 * A collection calls only take from (`this.tracked = this.tracked.filter(…)` in a cleanup tool) while what adds
 * to it is in a function nothing calls: it is always empty, so no call leaves anything in it for a later one.
 */
function isNeverFilled(state: StateVariable): boolean {
  if (state.container !== 'array') return false;
  const writes = state.accesses.filter((a) => a.mode === 'write');
  const reached = (a: StateAccess) => a.by.length > 0 || a.byOther.length > 0;
  if (!writes.some(reached)) return false;
  return writes.every((write) => (reached(write) ? takesFrom(write) : neverCalled(enclosingFunction(write.node))));
}

/** `x = x.filter(…)`, `x = []`, `x.splice(…)`, `x.pop()`, `x.shift()`: the write only removes. */
function takesFrom(access: StateAccess): boolean {
  if (empties(access)) return true;
  const value = access.value && unwrap(access.value);
  if (access.op === 'assign' && value && Node.isCallExpression(value)) {
    const callee = value.getExpression();
    return Node.isPropertyAccessExpression(callee) && callee.getName() === 'filter' && unwrap(callee.getExpression()).getText() === access.node.getText();
  }
  const parent = outermostWrapper(access.node).getParent();
  return parent !== undefined && Node.isPropertyAccessExpression(parent) && ['pop', 'shift'].includes(parent.getName());
}

/** A named function or method no code refers to. */
function neverCalled(fn: Node | undefined): boolean {
  if (!fn || !(Node.isMethodDeclaration(fn) || Node.isFunctionDeclaration(fn))) return false;
  const name = fn.getNameNode();
  return name !== undefined && Node.isIdentifier(name) && name.findReferencesAsNodes().every((ref) => ref === name);
}

// ---- id counters ----------------------------------------------------------------------------------------

/** Every use steps the counter (`++n`, `n--`, `n += 1`) or reads it into an id, and some step makes an id. */
function isIdCounter(state: StateVariable): boolean {
  if (state.container) return false;
  let minted = false;
  for (const access of state.accesses) {
    const step = stepOf(access.node);
    if (!step && (access.mode === 'write' || !intoId(access.node))) return false;
    if (step && intoId(step)) minted = true;
    if (!step && intoId(access.node)) minted = true;
  }
  return minted;
}

/** The `++n` / `n--` / `n += 1` expression stepping `reference`, if that is what the reference is in. */
function stepOf(reference: Node): Node | undefined {
  const outer = outermostWrapper(reference);
  const parent = outer.getParent();
  if (!parent) return undefined;
  if (Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) {
    const op = parent.getOperatorToken();
    return op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken ? parent : undefined;
  }
  if (Node.isBinaryExpression(parent) && parent.getLeft() === outer) {
    const op = parent.getOperatorToken().getKind();
    return (op === SyntaxKind.PlusEqualsToken || op === SyntaxKind.MinusEqualsToken) && Node.isNumericLiteral(unwrap(parent.getRight())) ? parent : undefined;
  }
  return undefined;
}

/**
 * Whether a value ends up in an id: through templates, string concatenation, `String(…)` or a minus sign into a
 * name like `…Id` (`const sessionId = \`search_${++n}\``), the return of a function named so (`nextRequestId()`),
 * or the key of a `set`/`add`. A count shown to the client (`\`${calls} calls\``) is not an id.
 */
function intoId(node: Node): boolean {
  let current = outermostWrapper(node);
  for (let i = 0; i < 10; i++) {
    const parent = current.getParent();
    if (!parent) return false;
    if (Node.isVariableDeclaration(parent) || Node.isPropertyAssignment(parent) || Node.isPropertyDeclaration(parent)) return ID_NAMES.test(nameText(parent.getNameNode()) ?? '');
    if (Node.isReturnStatement(parent)) return ID_NAMES.test(functionName(parent) ?? '');
    if (Node.isBinaryExpression(parent) && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken && parent.getRight() === current) {
      const target = parent.getLeft();
      return ID_NAMES.test(Node.isPropertyAccessExpression(target) ? target.getName() : target.getText());
    }
    if (Node.isCallExpression(parent)) {
      const callee = unwrap(parent.getExpression());
      if (Node.isPropertyAccessExpression(callee) && ['set', 'add'].includes(callee.getName())) return parent.getArguments()[0] === current;
      if (callee.getText() !== 'String') return false;
    } else if (Node.isBinaryExpression(parent)) {
      if (parent.getOperatorToken().getKind() !== SyntaxKind.PlusToken) return false;
    } else if (Node.isPrefixUnaryExpression(parent)) {
      if (parent.getOperatorToken() !== SyntaxKind.MinusToken) return false;
    } else if (!Node.isTemplateSpan(parent) && !Node.isTemplateExpression(parent) && !Node.isParenthesizedExpression(parent)) {
      return false;
    }
    current = parent;
  }
  return false;
}

/** The name of the function a return statement returns from (`nextRequestId`, `const nextId = () => …`). */
function functionName(statement: Node): string | undefined {
  const fn = enclosingFunction(statement);
  if (!fn) return undefined;
  if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName();
  const holder = fn.getParent();
  return holder && (Node.isVariableDeclaration(holder) || Node.isPropertyAssignment(holder)) ? nameText(holder.getNameNode()) : undefined;
}

// ---- persisted to a file the server fixes ---------------------------------------------------------------

/**
 * The state's own code keeps it in a file at a path no tool chooses: it is loaded from that file and saved to
 * it (a call history in the user's home), or drained into it (a write queue emptied as it is appended). Such
 * state is the server's, shared by every client and every restart. Writing it out alone (an export tool) is not.
 */
function isPersisted(ctx: AnalysisContext, origins: Origins, state: StateVariable): boolean {
  const functions = new Set(state.accesses.map((a) => enclosingFunction(a.node)).filter((fn): fn is Node => fn !== undefined));
  let loaded = false;
  for (const fn of functions) {
    const writes = fileCalls(ctx, origins, fn, FILE_WRITES, state.ownerClass);
    if (writes && state.accesses.some((a) => a.mode === 'write' && enclosingFunction(a.node) === fn && empties(a))) return true;
    loaded ||= fileCalls(ctx, origins, fn, FILE_READS, state.ownerClass);
  }
  // Loaded from the file and saved by the same code, perhaps through a queue of its own (`this.unsaved`).
  const home: Node = state.ownerClass ?? state.declaration.getSourceFile();
  return loaded && fileCalls(ctx, origins, home, FILE_WRITES, state.ownerClass);
}

/** Whether `fn` (or any code under it) calls one of `names` on a fixed path. */
function fileCalls(ctx: AnalysisContext, origins: Origins, fn: Node, names: ReadonlySet<string>, owner: ClassDeclaration | ClassExpression | undefined): boolean {
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => {
    const callee = unwrap(call.getExpression());
    const name = Node.isPropertyAccessExpression(callee) ? callee.getName() : Node.isIdentifier(callee) ? callee.getText() : '';
    const path = call.getArguments()[0];
    return names.has(name) && path !== undefined && fixedPath(ctx, origins, path, owner);
  });
}

/** `queue = []`, `queue.length = 0`, `queue.splice(0)`: the write empties the state. */
function empties(access: StateAccess): boolean {
  if (access.reset) return true;
  const value = access.value && unwrap(access.value);
  if (access.op === 'assign' && value && (Node.isArrayLiteralExpression(value) ? value.getElements().length === 0 : Node.isObjectLiteralExpression(value) && value.getProperties().length === 0)) return true;
  const parent = outermostWrapper(access.node).getParent();
  return parent !== undefined && Node.isPropertyAccessExpression(parent) && ['splice', 'length'].includes(parent.getName());
}

/**
 * A path no call decides: no parameter flows into it, its fields are set only when the object is built, its variables
 * are constants, and a local it names is computed from such values (`const file = await getProjectTodosFile()`,
 * whose helpers read a `let currentProjectId` that a tool switches, is decided by the calls).
 */
function fixedPath(ctx: AnalysisContext, origins: Origins, path: Node, owner: ClassDeclaration | ClassExpression | undefined, depth = 0): boolean {
  if (origins.fromInput(path)) return false;
  for (const access of [path, ...path.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)]) {
    if (!Node.isPropertyAccessExpression(access) || access.getExpression().getKind() !== SyntaxKind.ThisKeyword) continue;
    if (!owner || !setOnlyWhenBuilt(owner, access.getName())) return false;
  }
  for (const identifier of [path, ...path.getDescendantsOfKind(SyntaxKind.Identifier)]) {
    if (!Node.isIdentifier(identifier)) continue;
    const binding = ctx.resolver.resolve(identifier);
    if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node)) continue;
    if (isModuleLet(ctx, identifier)) return false;
    const value = binding.node.getInitializer();
    if (enclosingFunction(binding.node) && value && (depth >= PATH_DEPTH || !fixedPath(ctx, origins, value, owner, depth + 1) || readsMutableModuleState(ctx, value, depth + 1))) return false;
  }
  return true;
}

/** How far a path is followed through locals and the project functions computing them. */
const PATH_DEPTH = 4;

/** Whether the project functions an expression calls (and the ones they call) read a module `let` or `var`. */
function readsMutableModuleState(ctx: AnalysisContext, expression: Node, depth: number): boolean {
  if (depth > PATH_DEPTH) return true;
  const inner = unwrap(expression);
  const calls = [...(Node.isCallExpression(inner) ? [inner] : []), ...expression.getDescendantsOfKind(SyntaxKind.CallExpression)];
  return calls.some((call) => {
    const body = resolveFunction(ctx.resolver, call.getExpression())?.getBody();
    if (!body) return false;
    return body.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => isModuleLet(ctx, id)) || readsMutableModuleState(ctx, body, depth + 1);
  });
}

/** Whether an identifier names a `let` or `var` declared at the top of a module. */
function isModuleLet(ctx: AnalysisContext, identifier: Identifier): boolean {
  const binding = ctx.resolver.resolve(identifier);
  if (binding?.kind !== 'declaration' || !Node.isVariableDeclaration(binding.node) || enclosingFunction(binding.node)) return false;
  const statement = binding.node.getVariableStatement();
  return statement !== undefined && statement.getDeclarationKind() !== 'const';
}

/** Whether `this.name` is assigned only by its declaration and the constructor. */
function setOnlyWhenBuilt(owner: ClassDeclaration | ClassExpression, name: string): boolean {
  for (const access of owner.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
    if (access.getName() !== name || access.getExpression().getKind() !== SyntaxKind.ThisKeyword) continue;
    const parent = access.getParent();
    const assigned = parent && Node.isBinaryExpression(parent) && parent.getLeft() === access && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken;
    if (assigned && !Node.isConstructorDeclaration(enclosingFunction(access) ?? access)) return false;
  }
  return true;
}

// ---- per-call flags ------------------------------------------------------------------------------------

/** Handlers whose answers would change with what the last call left: the lists and what they point to. */
const LIST_READERS = /\/list$|^resources\/read$|^prompts\/get$/;

/**
 * A module value the one handler that uses it sets from the request on every call before going on
 * (`setCurrentCallIsRemote(isRemote)` at the top of the tools/call handler, or in both branches of an
 * `if`/`else`), and that no other handler reads: each call sees only what it set itself.
 */
function isPerCall(reach: Reach, origins: Origins, state: StateVariable): boolean {
  if (state.kind !== 'module' || state.container) return false;
  const writes = state.accesses.filter((a) => a.mode === 'write');
  const points: Node[] = [];
  let fromRequest = false;
  for (const write of writes) {
    if (write.op !== 'assign') return false;
    const fn = enclosingFunction(write.node);
    const setter = fn && setterCalls(reach, fn, write);
    if (setter) {
      points.push(...setter.calls);
      fromRequest ||= setter.calls.some((call) => call.getArguments().some((arg) => origins.fromInput(arg)));
    } else {
      points.push(write.node);
      fromRequest ||= write.valueFromInput === true;
    }
  }
  if (!fromRequest || points.length === 0) return false;
  const handlers = points.map((point) => handlerOf(reach, point));
  const handler = handlers[0];
  if (!handler || handlers.some((other) => other?.body !== handler.body)) return false;
  const served = new Set(reach.registrationsAt(handler.body).concat(handler.registrations));
  // No other tool, and no list, reads what the call in flight set: they would see the last call's value.
  if (state.accesses.some((a) => a.byOther.some((label) => LIST_READERS.test(label)) || a.by.some((r) => !served.has(r)))) return false;
  // A read ahead of the set (`const before = previousTool; previousTool = name`) sees what the last call left.
  const firstSet = Math.min(...points.map((point) => point.getStart()));
  if (state.accesses.some((a) => a.mode === 'read' && a.node.getStart() < firstSet && a.node.getAncestors().includes(handler.body as never))) return false;
  return alwaysSets(handler.body, points);
}

/**
 * A helper that only stores its parameter (`function setFlag(v) { flag = v }`), and where it is called: then
 * the calls are where the state is set.
 */
function setterCalls(reach: Reach, fn: Node, write: StateAccess): { calls: CallExpression[] } | undefined {
  if (!Node.isFunctionDeclaration(fn) && !Node.isArrowFunction(fn) && !Node.isFunctionExpression(fn)) return undefined;
  const body = fn.getBody();
  const statements = body && Node.isBlock(body) ? body.getStatements() : [];
  if (statements.length !== 1 || !statements[0]!.getDescendants().includes(write.node)) return undefined;
  const value = write.value && unwrap(write.value);
  if (!value || !Node.isIdentifier(value) || !fn.getParameters().some((p) => p.getName() === value.getText())) return undefined;
  const calls = reach.callSites.get(fn.compilerNode) ?? [];
  return calls.length > 0 ? { calls } : undefined;
}

/**
 * The function holding `point` when it runs once per call of one registered handler: the handler itself, or a
 * function only that handler calls (`return handleCallToolRequest(request)`).
 */
function handlerOf(reach: Reach, point: Node): { body: Node; registrations: Registration[] } | undefined {
  const registrations = reach.registrationsAt(point);
  const handler = registrations[0]?.handler;
  const fn = enclosingFunction(point);
  if (!handler || !fn || !registrations.every((r) => r.handler === handler)) return undefined;
  if (fn === handler) return { body: fn, registrations };
  const calls = reach.callSites.get(fn.compilerNode) ?? [];
  return calls.length > 0 && calls.every((call) => call.getAncestors().includes(handler)) ? { body: fn, registrations } : undefined;
}

/** Whether every run of `fn` passes a write point before it returns: at its top level, in a try block, or in every branch of an if/else. */
function alwaysSets(fn: Node, points: readonly Node[]): boolean {
  const body = Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) ? fn.getBody() : undefined;
  return body !== undefined && covers(body, points);
}

function covers(node: Node, points: readonly Node[]): boolean {
  if (Node.isBlock(node)) return node.getStatements().some((statement) => covers(statement, points));
  if (Node.isTryStatement(node)) return covers(node.getTryBlock(), points);
  if (Node.isIfStatement(node)) {
    const otherwise = node.getElseStatement();
    return otherwise !== undefined && covers(node.getThenStatement(), points) && covers(otherwise, points);
  }
  if (Node.isExpressionStatement(node) || Node.isVariableStatement(node)) {
    return points.some((point) => point.getAncestors().includes(node) && plainPath(point, node));
  }
  return false;
}

/** No function, loop, condition or short-circuit between a point and its statement: it always runs. */
function plainPath(point: Node, statement: Node): boolean {
  for (let current = point.getParent(); current && current !== statement; current = current.getParent()) {
    if (isFunctionBoundary(current) || Node.isConditionalExpression(current)) return false;
    if (Node.isBinaryExpression(current) && ['&&', '||', '??'].includes(current.getOperatorToken().getText())) return false;
  }
  return true;
}

// ---- client context copied per request -----------------------------------------------------------------

/** Entry points that run once per connection: what they store is what initialize said. */
const CONNECTION_LABELS = new Set(['oninitialized', 'notifications/initialized', 'initialize']);

/** How far up the callers of a setter to look for the guarded copy (`setMcpClient` → `setClientName`). */
const COPY_DEPTH = 4;

/**
 * Every write is a copy of what the client says about itself: made once per connection (oninitialized, or an
 * initialize handler of the server's own), or under a guard that the request carries the client's info in its
 * _meta, directly or through setters only those places call. Reads then see the calling client's info.
 */
function isClientCopy(ctx: AnalysisContext, reach: Reach, state: StateVariable): boolean {
  const writes = state.accesses.filter((a) => a.mode === 'write');
  let guarded = false;
  for (const write of writes) {
    // The constructor gives the field its first value; that is no copy and no conversation's either.
    if (Node.isConstructorDeclaration(enclosingFunction(write.node))) continue;
    const kind = copyKind(ctx, reach, write.node, 0);
    if (!kind) return false;
    guarded ||= kind === 'request';
  }
  return guarded;
}

/** `request` under a guarded copy, `connection` in once-per-connection code, undefined anywhere else. */
function copyKind(ctx: AnalysisContext, reach: Reach, node: Node, depth: number): 'request' | 'connection' | undefined {
  if (underEnvelopeGuard(node)) return 'request';
  const others = reach.othersAt(node);
  if (reach.registrationsAt(node).length === 0 && others.length > 0 && others.every((label) => CONNECTION_LABELS.has(label))) return 'connection';
  const fn = enclosingFunction(node);
  const calls = fn && depth < COPY_DEPTH ? callsOf(ctx, reach, fn) : [];
  if (calls.length === 0) return undefined;
  let kind: 'request' | 'connection' = 'connection';
  for (const call of calls) {
    const found = copyKind(ctx, reach, call, depth + 1);
    if (!found) return undefined;
    if (found === 'request') kind = 'request';
  }
  return kind;
}

/** Inside `if (<the request's _meta carries a client value>) …` (no else), within the same function. */
function underEnvelopeGuard(node: Node): boolean {
  for (let current = node.getParent(); current && !isFunctionBoundary(current); current = current.getParent()) {
    if (Node.isIfStatement(current) && !current.getElseStatement() && ENVELOPE_READ.test(current.getExpression().getText()) && !current.getExpression().getDescendants().includes(node)) return true;
  }
  return false;
}

/**
 * The calls of a function: those the reach walk resolved, and for a method every `x.name(…)` call of the
 * project by its name (calls through typed fields, `this.session.setMcpClient(…)`, are not resolved; taking
 * every call of that name is the stricter reading).
 */
function callsOf(ctx: AnalysisContext, reach: Reach, fn: Node): CallExpression[] {
  const resolved = reach.callSites.get(fn.compilerNode) ?? [];
  if (!Node.isMethodDeclaration(fn)) return resolved;
  const name = fn.getName();
  const named: CallExpression[] = [];
  for (const info of ctx.files) {
    if (!ctx.resolver.mentions(info.sourceFile, name)) continue;
    for (const identifier of ctx.resolver.identifiersNamed(info.sourceFile, name)) {
      const callee = identifier.getParent();
      const call = callee?.getParent();
      if (Node.isPropertyAccessExpression(callee) && callee.getNameNode() === identifier && Node.isCallExpression(call) && call.getExpression() === callee) named.push(call);
    }
  }
  return [...new Set([...resolved, ...named])];
}
