import { placeOf } from '../shared/place.js';
import { Node, SyntaxKind, type CallExpression, type IfStatement, type ts } from 'ts-morph';
import { SESSION_ERROR_TEXT } from '../../src/analysis/vocabulary.js';
import type { Plumbing } from './plumbing.js';
import { referencesIn } from '../shared/declarations.js';
import { SHUTDOWN_EVENTS, SHUTDOWN_LISTENERS } from '../../src/rules/scope-state.js';
import { SERVE_METHODS } from '../../src/rules/transport-symbols.js';
import { enclosingFunction, isFunctionLike, isPure, within, type FunctionLike, type Resolver } from './syntax.js';
import { isExported } from '../shared/exports.js';
import { usedOnlyWhere } from '../shared/local-uses.js';
import { nodesOfKind } from '../shared/file-index.js';

/**
 * Which statements are session plumbing. The unit is the statement: a statement that touches the plumbing
 * goes, every other statement stays byte for byte. We only look inside a few containers whose own header
 * is plumbing-free: `try` blocks (error handling around the transport stays), branches of URL routing
 * `if`s (custom routes stay), and lifecycle callbacks (`process.on('SIGINT', …)` keeps its logging and
 * exit). Anything we cannot split that way is a problem and the entry is left alone.
 */

/** A condition that selects the request opening a session (`isInitializeRequest(req.body)`, `body.method === 'initialize'`). */
const OPENS_SESSION = /\bisInitializeRequest\b|['"`]initialize['"`]/;

/**
 * The application's own statements of a session-opening branch: not plumbing, not the branch's `return`, and not
 * a local that only feeds the plumbing (`const eventStore = new InMemoryEventStore()` handed to the transport).
 */
function ownStatements(branch: Node & { getStatements(): Node[] }, plumbing: Plumbing): Node[] {
  return branch.getStatements().filter((statement) => {
    if (plumbing.touches(statement) || Node.isReturnStatement(statement)) return false;
    if (!Node.isVariableStatement(statement)) return true;
    const declarations = statement.getDeclarations();
    const uses = referencesIn(branch).filter((id) => declarations.some((d) => plumbing.resolver.of(id)?.compilerNode === d.compilerNode) && !within(id, statement));
    return uses.length === 0 || !uses.every(inTransportConstruction);
  });
}

/** Inside `new …Transport(…)`: an option of the transport the rewrite builds anew. */
function inTransportConstruction(node: Node): boolean {
  return node.getAncestors().some((a) => Node.isNewExpression(a) && /Transport$/.test(a.getExpression().getText()));
}

/**
 * Whether a test selects the session-opening request (not its negation: `!isInitializeRequest(body)` is the error
 * path). A local named for it counts as what it holds (`const isInit = body.method === 'initialize'`).
 */
function selectsOpening(test: Node, resolver: Resolver): boolean {
  const names = (node: Node) => (Node.isIdentifier(node) || Node.isStringLiteral(node)) && OPENS_SESSION.test(node.getText());
  const opens = (node: Node): boolean => {
    if (names(node)) return true;
    const declaration = Node.isIdentifier(node) ? resolver.of(node) : undefined;
    const value = declaration && Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const' ? declaration.getInitializer() : undefined;
    return value !== undefined && [value, ...value.getDescendants()].some(names);
  };
  const mention = [test, ...test.getDescendants()].find(opens);
  if (!mention) return false;
  for (let node: Node | undefined = mention; node && node !== test.getParent(); node = node.getParent()) {
    if (Node.isPrefixUnaryExpression(node) && node.getOperatorToken() === SyntaxKind.ExclamationToken) return false;
    if (Node.isBinaryExpression(node) && ['!==', '!='].includes(node.getOperatorToken().getText())) return false;
  }
  return true;
}

/** A `GET`/`DELETE` branch of a method dispatch (`if (req.method === 'GET') { …session stream… }`). */
export interface SessionBranch {
  block: Node;
  /** The branch ended the handler (`return`), so its replacement must too. */
  returns: boolean;
}

export interface HandlerPlan {
  removed: Node[];
  /** The removed statement whose place the new serving code takes (it held the last serve call). */
  anchor?: Node;
  /** That serve call (its arguments give the request, response and parsed body expressions). */
  serveCall?: CallExpression;
  /** The handler is an arrow with an expression body, which is the anchor. */
  expressionBody?: boolean;
  /** Every top-level statement of the body goes (nothing of the old handler is kept). */
  whole: boolean;
  /** The anchor sits in a POST-only branch, so the new code needs no method guard of its own. */
  postOnly: boolean;
  /** The anchor returned and code follows it: the new code must return too, or it would run on into that code. */
  returnAfter: boolean;
  sessionBranches: SessionBranch[];
  /**
   * `if (req.method !== 'POST') { …Session not found… }` in front of a session lookup: no plumbing, but
   * an answer only sessions gave. On v2 the entry answers those methods itself, so the guard goes; on v1
   * its branch answers 405 like any other session route.
   */
  sessionGuards: SessionBranch[];
  /** `whole`, counting the session guards as removed. */
  wholeWithGuards: boolean;
  /**
   * The application's own statements in the branch that opened sessions (`else if (isInitializeRequest(body)) {
   * const token = tokenFrom(req.headers); if (!token) return res.status(401)…; … }`), in order: what ran once per
   * session, now to run for every request.
   */
  opening: Node[];
  /**
   * A transport resolver: the handler serves nothing itself but returns the session's transport to its caller,
   * which hands it the request (`const t = await transportFor(req, res); await t.handleRequest(req, res)`).
   * `failure` is what it returns after answering an error itself (`null`), when it has such a path.
   */
  resolver?: { failure?: string };
  /**
   * After a POST-only branch that returns, the statements answering every other method with a client error
   * (`res.statusCode = 400; res.end('Invalid request');`): what GET and DELETE reach now that they open no
   * stream and end no session, so on v1 they become the 405 a sessionless endpoint answers.
   */
  otherMethods: { statements: Node[]; response?: string };
  /**
   * Web transports: the variable the served response is kept in when the handler answers through it afterwards
   * (`const response = await transport.handleRequest(c); return response ?? c.body(null, 204);`); the new code
   * keeps it under that name, so the answer that follows stays as written.
   */
  answerInto?: string;
  /**
   * Node transports behind a web framework: the statements after the serve call that end in the handler's own
   * answer (`sealResponse(); return c.body(null);`, Hono after the SDK wrote the Node response), written from
   * column 0. They stay after the new code, and an answer the new code writes itself (the 405) ends with them too.
   */
  answerAfter?: string[];
  problems: string[];
}

export function serveCalls(node: Node, plumbing: Plumbing): CallExpression[] {
  return [node, ...nodesOfKind(node, SyntaxKind.CallExpression)].filter((call): call is CallExpression => {
    if (!Node.isCallExpression(call)) return false;
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) && SERVE_METHODS.includes(callee.getName()) && plumbing.touches(callee.getExpression());
  });
}

function namesIn(condition: Node): string[] {
  return [
    ...nodesOfKind(condition, SyntaxKind.PropertyAccessExpression).map((p) => p.getName()),
    ...condition.getDescendantsOfKind(SyntaxKind.Identifier).map((i) => i.getText()),
  ];
}

function isRouteTest(condition: Node): boolean {
  const names = namesIn(condition);
  return names.some((n) => ['url', 'pathname', 'path', 'originalUrl'].includes(n)) && !names.includes('method');
}

/** What an HTTP method test selects: POST traffic, the GET/DELETE session traffic, or something else. */
function methodBranch(condition: Node | undefined): 'post' | 'session' | 'other' {
  if (!condition) return 'other';
  const methods = condition
    .getDescendantsOfKind(SyntaxKind.StringLiteral)
    .map((l) => l.getLiteralValue().toUpperCase())
    .filter((m) => ['POST', 'GET', 'DELETE', 'PUT', 'PATCH', 'OPTIONS', 'HEAD'].includes(m));
  const negated = condition.getDescendantsOfKind(SyntaxKind.ExclamationEqualsEqualsToken).length + condition.getDescendantsOfKind(SyntaxKind.ExclamationEqualsToken).length > 0;
  if (methods.length === 0) return 'other';
  if (negated) return methods.every((m) => m === 'POST') ? 'session' : 'other';
  if (methods.every((m) => m === 'POST')) return 'post';
  return methods.every((m) => m === 'GET' || m === 'DELETE') ? 'session' : 'other';
}

/**
 * Declarations kept in `block` whose every use is in removed code (`const cutoff = Date.now() - IDLE_MS`
 * next to the loop over sessions) would be left dead: they go too, as long as dropping them cannot
 * change anything (pure initializer). `keep` holds declarations the new code still needs.
 */
function dropDeadLocals(block: Node, removed: Node[], plumbing: Plumbing, keep: ReadonlySet<unknown> = new Set()): void {
  const statements = Node.isBlock(block) || Node.isSourceFile(block) ? block.getStatements() : [];
  for (let grew = true; grew; ) {
    grew = false;
    for (const statement of statements) {
      if (removed.includes(statement) || !Node.isVariableStatement(statement)) continue;
      const [declaration, ...more] = statement.getDeclarations();
      if (!declaration || more.length > 0 || !Node.isIdentifier(declaration.getNameNode()) || keep.has(declaration.compilerNode)) continue;
      if (!isPure(declaration.getInitializer())) continue;
      const uses = referencesIn(block).filter((id) => plumbing.resolver.of(id)?.compilerNode === declaration.compilerNode);
      if (uses.length > 0 && uses.every((use) => removed.some((r) => within(use, r)))) {
        removed.push(statement);
        grew = true;
      }
    }
  }
}

/** Whether a branch answers with a session error (`404 "Session not found"`). */
function answersSessionError(branch: Node): boolean {
  return [...branch.getDescendantsOfKind(SyntaxKind.StringLiteral), ...branch.getDescendantsOfKind(SyntaxKind.NoSubstitutionTemplateLiteral)].some((literal) =>
    SESSION_ERROR_TEXT.test(literal.getLiteralValue()),
  );
}

/** `if (req.method !== 'POST') { …Session not found… }`, with no `else`. */
function isSessionErrorGuard(statement: Node): statement is IfStatement {
  return (
    Node.isIfStatement(statement) &&
    !statement.getElseStatement() &&
    Node.isBlock(statement.getThenStatement()) &&
    methodBranch(statement.getExpression()) === 'session' &&
    answersSessionError(statement.getThenStatement())
  );
}

function returnsAtTop(node: Node, fn: FunctionLike): boolean {
  return [node, ...nodesOfKind(node, SyntaxKind.ReturnStatement)].some((r) => Node.isReturnStatement(r) && enclosingFunction(r) === fn);
}

/**
 * A function a handler declares and then calls, or hands to a wrapper (`authContext.run(store, handleRequest)`),
 * that serves the request: its body is planned like the handler's own, so the calls around it stay.
 */
function servingClosure(statement: Node, plumbing: Plumbing): FunctionLike | undefined {
  const fn = declaredFunction(statement);
  const body = fn?.getBody();
  if (!fn || !body || !Node.isBlock(body) || serveCalls(body, plumbing).length === 0) return undefined;
  const calledOrHanded = (use: Node) => {
    const parent = use.getParent();
    return Node.isCallExpression(parent) && (parent.getExpression() === use || parent.getArguments().includes(use as never));
  };
  return usedOnlyWhere(statement, calledOrHanded) ? fn : undefined;
}

/** Plan the body of a handler that serves MCP requests. */
export function planHandler(handler: FunctionLike, plumbing: Plumbing): HandlerPlan {
  const plan: HandlerPlan = { removed: [], whole: false, postOnly: false, returnAfter: false, sessionBranches: [], sessionGuards: [], wholeWithGuards: false, opening: [], otherMethods: { statements: [] }, problems: [] };
  const body = handler.getBody();
  if (body && !Node.isBlock(body)) {
    const call = serveCalls(body, plumbing).pop();
    if (call) return { ...plan, anchor: body, serveCall: call, expressionBody: true, whole: true };
  }
  if (!body || !Node.isBlock(body)) {
    plan.problems.push('the handler has no block body');
    return plan;
  }
  const visited: Node[] = [];
  const postBlocks: Node[] = [];
  const branches = (statement: Node, each: (branch: Node, condition: Node | undefined) => void) => {
    for (let branch: Node | undefined = statement; branch; ) {
      if (Node.isIfStatement(branch)) {
        each(branch.getThenStatement(), branch.getExpression());
        branch = branch.getElseStatement();
      } else {
        each(branch, undefined);
        branch = undefined;
      }
    }
  };
  const visit = (block: Node) => {
    const statements = Node.isBlock(block) ? block.getStatements() : [block];
    visited.push(block);
    for (const statement of statements) {
      if (!plumbing.touches(statement)) {
        if (isSessionErrorGuard(statement)) plan.sessionGuards.push({ block: statement.getThenStatement(), returns: returnsAtTop(statement, handler) });
        continue;
      }
      if (Node.isTryStatement(statement) && ![statement.getCatchClause(), statement.getFinallyBlock()].some((h) => h && plumbing.touches(h))) {
        visit(statement.getTryBlock());
        continue;
      }
      // `const handleRequest = async () => { …serves… }`, then `authContext.run(store, handleRequest)`: the
      // closure is where the request is served; its callers stay as written.
      const closure = servingClosure(statement, plumbing);
      if (closure) {
        visit(closure.getBody()!);
        continue;
      }
      const condition = Node.isIfStatement(statement) ? statement.getExpression() : undefined;
      if (condition && !plumbing.touches(condition) && isRouteTest(condition)) {
        branches(statement, (branch) => {
          if (Node.isBlock(branch)) visit(branch);
          else if (plumbing.touches(branch)) plan.problems.push('a routing branch without braces holds session plumbing');
        });
        continue;
      }
      if (condition && !plumbing.touches(condition) && namesIn(condition).includes('method')) {
        let previous: 'post' | 'session' | 'other' = 'other';
        branches(statement, (branch, test) => {
          // A final `else` after a POST branch is everything but POST: the session methods.
          const selects = test ? methodBranch(test) : previous === 'post' ? 'session' : 'other';
          previous = selects;
          if (!plumbing.touches(branch)) return;
          if (!Node.isBlock(branch)) plan.problems.push('a method branch without braces holds session plumbing');
          else if (selects === 'post') {
            postBlocks.push(branch);
            visit(branch);
          } else if (selects === 'session') plan.sessionBranches.push({ block: branch, returns: returnsAtTop(branch, handler) });
          else plan.problems.push(`the method branch ${placeOf(branch)} mixes session plumbing with other methods`);
        });
        continue;
      }
      if (Node.isIfStatement(statement)) {
        branches(statement, (branch, test) => {
          if (test && selectsOpening(test, plumbing.resolver) && Node.isBlock(branch)) plan.opening.push(...ownStatements(branch, plumbing));
        });
      }
      plan.removed.push(statement);
    }
  };
  visit(body);
  const calls = plan.removed.flatMap((statement) => serveCalls(statement, plumbing).map((call) => ({ statement, call })));
  const last = calls[calls.length - 1];
  if (!last) return planResolver(plan, handler, body, plumbing, visited);
  // Whatever the new code passes on (a parsed body) must stay.
  const needed = new Set(last.call.getArguments().flatMap((a) => referencesIn(a).map((id) => plumbing.resolver.of(id)?.compilerNode)));
  for (const block of [...visited].reverse()) dropDeadLocals(block, plan.removed, plumbing, needed);
  const removedSet = new Set(plan.removed.map((r) => r.compilerNode));
  plan.whole = body.getStatements().every((statement) => removedSet.has(statement.compilerNode));
  const guards = new Set(plan.sessionGuards.map((guard) => guard.block.getParentOrThrow().compilerNode));
  plan.wholeWithGuards = body.getStatements().every((statement) => removedSet.has(statement.compilerNode) || guards.has(statement.compilerNode));
  plan.anchor = last.statement;
  plan.serveCall = last.call;
  plan.postOnly = postBlocks.some((b) => within(last.statement, b));
  if (plan.postOnly) plan.otherMethods = clientErrorAfter(body, postBlocks.find((b) => within(last.statement, b))!, handler);
  plan.returnAfter = codeFollows(last.statement, body, removedSet) && returnsAtTop(last.statement, enclosingFunction(last.statement) ?? handler);
  for (const block of visited) {
    const statements = Node.isBlock(block) ? block.getStatements() : [];
    const emptied = block !== body && statements.length > 0 && statements.every((s) => removedSet.has(s.compilerNode));
    if (emptied && !within(last.statement, block)) plan.problems.push(`the routing branch ${placeOf(block)} would no longer answer`);
  }
  return plan;
}

/**
 * The statements after a top-level `if (req.method === 'POST') { … return; }` when all they do is answer a
 * client error other than 405 through the response (`res.statusCode = 400;`, `res.writeHead(404)`, `res.status(400).json(…)`,
 * `res.end(…)`, alone or returned); none otherwise.
 */
function clientErrorAfter(body: Node & { getStatements(): Node[] }, postBlock: Node, handler: FunctionLike): HandlerPlan['otherMethods'] {
  const none = { statements: [] };
  const statements = body.getStatements();
  const index = statements.findIndex((statement) => within(postBlock, statement));
  const branch = statements[index];
  if (!branch || !Node.isIfStatement(branch) || branch.getThenStatement() !== postBlock || branch.getElseStatement()) return none;
  const blockStatements = Node.isBlock(postBlock) ? postBlock.getStatements() : [];
  const lastInBranch = blockStatements[blockStatements.length - 1];
  if (!lastInBranch || !Node.isReturnStatement(lastInBranch) || !returnsAtTop(lastInBranch, handler)) return none;
  const rest = statements.slice(index + 1);
  const roots = new Set<string>();
  let status: number | undefined;
  for (const statement of rest) {
    const expression = Node.isExpressionStatement(statement) ? statement.getExpression() : Node.isReturnStatement(statement) ? statement.getExpression() : undefined;
    if (!expression) return none;
    const answer = responseAnswer(expression);
    if (!answer) return none;
    roots.add(answer.root);
    status ??= answer.status;
  }
  const [response] = roots;
  return rest.length > 0 && roots.size === 1 && status !== undefined && status >= 400 && status < 500 && status !== 405 ? { statements: rest, response } : none;
}

/** `res.statusCode = 400` or a call chain on `res` that sets a status or ends the response: its root and status. */
function responseAnswer(expression: Node): { root: string; status?: number } | undefined {
  if (Node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    const left = expression.getLeft();
    const right = expression.getRight();
    if (!Node.isPropertyAccessExpression(left) || left.getName() !== 'statusCode' || !Node.isIdentifier(left.getExpression()) || !Node.isNumericLiteral(right)) return undefined;
    return { root: left.getExpression().getText(), status: right.getLiteralValue() };
  }
  let status: number | undefined;
  for (let current: Node = expression; ; ) {
    if (Node.isIdentifier(current)) return { root: current.getText(), status };
    if (!Node.isCallExpression(current)) return undefined;
    const callee = current.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !RESPONSE_ANSWERS.has(callee.getName())) return undefined;
    const [first] = current.getArguments();
    if ((callee.getName() === 'writeHead' || callee.getName() === 'status' || callee.getName() === 'sendStatus') && first && Node.isNumericLiteral(first)) status = first.getLiteralValue();
    current = callee.getExpression();
  }
}

/** Response methods an error answer is written with (Node's http and Express). */
const RESPONSE_ANSWERS: ReadonlySet<string> = new Set(['writeHead', 'status', 'sendStatus', 'end', 'send', 'json', 'setHeader', 'set']);

/**
 * A handler without a serve call may still be a transport resolver: its last removed statement returns the
 * session's transport (at the handler's own level). The new code takes that statement's place and returns a
 * per-request transport instead; every other removed statement goes.
 */
function planResolver(plan: HandlerPlan, handler: FunctionLike, body: Node & { getStatements(): Node[] }, plumbing: Plumbing, visited: readonly Node[]): HandlerPlan {
  const returnsPlumbing = (statement: Node) =>
    [statement, ...nodesOfKind(statement, SyntaxKind.ReturnStatement)].some((r) => {
      if (!Node.isReturnStatement(r) || enclosingFunction(r) !== handler) return false;
      const value = r.getExpression();
      return value !== undefined && plumbing.touches(value);
    });
  const anchor = [...plan.removed].reverse().find((statement) => Node.isReturnStatement(statement) && returnsPlumbing(statement));
  if (!anchor) {
    plan.problems.push('no request is handed to a transport in the handler');
    return plan;
  }
  for (const block of [...visited].reverse()) dropDeadLocals(block, plan.removed, plumbing);
  const removedSet = new Set(plan.removed.map((r) => r.compilerNode));
  // Where the resolver already answers an error itself and returns nothing usable, its callers handle that value.
  const failures = nodesOfKind(body, SyntaxKind.ReturnStatement).filter((r) => enclosingFunction(r) === handler && !plumbing.touches(r));
  const failure = failures.map((r) => r.getExpression()?.getText() ?? 'undefined').find((value) => value === 'null' || value === 'undefined');
  plan.resolver = { failure };
  plan.anchor = anchor;
  plan.whole = body.getStatements().every((statement) => removedSet.has(statement.compilerNode));
  plan.wholeWithGuards = plan.whole;
  for (const block of visited) {
    const statements = Node.isBlock(block) ? block.getStatements() : [];
    const emptied = block !== body && statements.length > 0 && statements.every((s) => removedSet.has(s.compilerNode));
    if (emptied && !within(anchor, block)) plan.problems.push(`the routing branch ${placeOf(block)} would no longer answer`);
  }
  return plan;
}

/**
 * Whether kept code runs after `statement` when it completes normally: a later statement in its own block,
 * or in any block around it up to the function body (`if (POST) { …serve; return } res.end('Invalid')`).
 */
function codeFollows(statement: Node, body: Node, removed: ReadonlySet<ts.Node>): boolean {
  for (let node: Node = statement; node !== body; ) {
    const parent = node.getParentOrThrow();
    const siblings = (parent as Node & { getStatements?(): Node[] }).getStatements?.() ?? [];
    if (siblings.slice(siblings.indexOf(node) + 1).some((s) => !removed.has(s.compilerNode))) return true;
    node = parent;
  }
  return false;
}

export interface ModulePlan {
  removed: Node[];
  problems: string[];
}

/** Whether the plumbing a statement touches is all inside function arguments of the statement's call. */
function callbackArguments(statement: Node, plumbing: Plumbing): FunctionLike[] | undefined {
  // `return new Promise((resolve, reject) => { …listen, shutdown… })` holds set-up code like any callback.
  const declarations = Node.isVariableStatement(statement) ? statement.getDeclarations() : [];
  const held = Node.isExpressionStatement(statement)
    ? statement.getExpression()
    : Node.isReturnStatement(statement)
      ? statement.getExpression()
      : declarations.length === 1 && !plumbing.touchingNodes(statement).some((n) => n === declarations[0])
        ? declarations[0]?.getInitializer()
        : undefined;
  if (!held) return undefined;
  let expression: Node = held;
  if (Node.isAwaitExpression(expression) || Node.isVoidExpression(expression)) expression = expression.getExpression();
  // `void (async () => { … })()`: a function called at once holds its statements like any callback.
  if (Node.isCallExpression(expression) && expression.getArguments().length === 0) {
    let callee: Node = expression.getExpression();
    while (Node.isParenthesizedExpression(callee)) callee = callee.getExpression();
    if (isFunctionLike(callee)) return plumbing.touches(callee) ? [callee] : undefined;
  }
  if (Node.isNewExpression(expression)) {
    const args = expression.getArguments();
    const functions = args.filter((a): a is FunctionLike => isFunctionLike(a));
    if (plumbing.touches(expression.getExpression()) || args.some((a) => !isFunctionLike(a) && plumbing.touches(a))) return undefined;
    const touching = functions.filter((f) => plumbing.touches(f));
    return touching.length > 0 ? touching : undefined;
  }
  // `setInterval(…).unref()`: look through a trailing method call with no arguments.
  if (Node.isCallExpression(expression) && expression.getArguments().length === 0) {
    const callee = expression.getExpression();
    if (Node.isPropertyAccessExpression(callee) && Node.isCallExpression(callee.getExpression())) expression = callee.getExpression();
  }
  if (!Node.isCallExpression(expression)) return undefined;
  const functions = expression.getArguments().filter((a): a is FunctionLike => isFunctionLike(a));
  const touchingFunctions = functions.filter((f) => plumbing.touches(f));
  if (touchingFunctions.length === 0) return undefined;
  if (plumbing.touches(expression.getExpression())) return undefined;
  if (expression.getArguments().some((a) => !isFunctionLike(a) && plumbing.touches(a))) return undefined;
  const [first] = expression.getArguments();
  if (first && Node.isStringLiteral(first) && first.getLiteralValue().startsWith('/')) return undefined;
  return touchingFunctions;
}

/**
 * Plan module-level code (and functions that set up the server, such as `main()`): drop declarations of
 * maps and module-wide transports, and the plumbing inside lifecycle callbacks. Route registrations of
 * the entry (`entry`) and the handler functions (`handlers`) are planned elsewhere.
 */
export function planModule(statements: readonly Node[], plumbing: Plumbing, entry: readonly Node[], handlers: readonly FunctionLike[]): ModulePlan {
  const plan: ModulePlan = { removed: [], problems: [] };
  const entrySet = new Set(entry.map((e) => e.compilerNode));
  const outside = (node: Node) => plumbing.touchingNodes(node).some((n) => !handlers.some((h) => within(n, h)));
  const visit = (list: readonly Node[]) => {
    const container = list[0]?.getParent();
    for (const statement of list) {
      if (entrySet.has(statement.compilerNode) || Node.isImportDeclaration(statement) || !outside(statement)) continue;
      // A class whose method sets up the routes (`listen(port) { const app = express(); … }`): that method is
      // split like a setup function; any other member using the plumbing is a helper this pass cannot split.
      if (Node.isClassDeclaration(statement)) {
        for (const member of statement.getMembers()) {
          if (!outside(member)) continue;
          // A field that holds the plumbing (`private transports: Record<string, …> = {}`) goes with it; the
          // constructor is split like a setup function (`this.transports = {}` goes, the rest stays).
          if (Node.isPropertyDeclaration(member) && plumbing.touchingNodes(member).includes(member)) {
            plan.removed.push(member);
            continue;
          }
          const body = Node.isMethodDeclaration(member) || Node.isConstructorDeclaration(member) ? member.getBody() : undefined;
          // Like module functions: setup and cleanup methods (`async stop() { … }`, no parameters) are split too.
          const splits = Node.isConstructorDeclaration(member) || entry.some((e) => within(e, member)) || (Node.isMethodDeclaration(member) && member.getParameters().length === 0);
          if (body && Node.isBlock(body) && splits) visit(body.getStatements());
          else plan.problems.push(`the class member ${placeOf(member)} uses session plumbing`);
        }
        continue;
      }
      const fn = declaredFunction(statement);
      if (fn) {
        const body = fn.getBody();
        const holdsEntry = entry.some((e) => within(e, fn));
        // Setup functions (`main`) and cleanup helpers (`shutdown()`, or `stop(signal)` that only process events
        // call) are split; request helpers are not.
        if (body && Node.isBlock(body) && (holdsEntry || fn.getParameters().length === 0 || calledOnShutdownOnly(statement))) visit(body.getStatements());
        // A helper only the session routing calls (`getOrCreateInstances(sessionId)` rebuilding a session's transport
        // on another node) goes with its callers: the orphan pass removes it once they are rewritten, and the
        // safety check keeps the transport if a rewritten handler still calls it.
        else if (!calledOnlyFrom(statement, handlers)) plan.problems.push(`the helper ${placeOf(statement)} uses session plumbing`);
        continue;
      }
      const callbacks = callbackArguments(statement, plumbing);
      if (callbacks) {
        const before = plan.removed.length;
        let everything = true;
        for (const callback of callbacks) {
          const body = callback.getBody();
          if (!body || !Node.isBlock(body)) continue;
          visit(body.getStatements());
          const removed = new Set(plan.removed.slice(before).map((r) => r.compilerNode));
          if (body.getStatements().some((s) => !removed.has(s.compilerNode))) everything = false;
        }
        // A callback that only tended sessions goes entirely (an empty `process.on('SIGINT', …)` would swallow Ctrl-C).
        // Only a bare call goes whole: a `return` or a declaration around it is more than session code.
        if (everything && Node.isExpressionStatement(statement)) plan.removed.splice(before, plan.removed.length - before, statement);
        continue;
      }
      if (Node.isIfStatement(statement) && !plumbing.touches(statement.getExpression())) {
        for (const branch of [statement.getThenStatement(), statement.getElseStatement()]) {
          if (branch && Node.isBlock(branch)) visit(branch.getStatements());
          // `else if (…) { … }`: the next link of the chain, planned like any if.
          else if (branch && Node.isIfStatement(branch)) visit([branch]);
          else if (branch && outside(branch)) plan.problems.push(`an if without braces ${placeOf(branch)} holds session plumbing`);
        }
        continue;
      }
      if (Node.isTryStatement(statement) && ![statement.getCatchClause(), statement.getFinallyBlock()].some((n) => n && outside(n))) {
        visit(statement.getTryBlock().getStatements());
        continue;
      }
      if (isRouteCall(statement)) {
        plan.problems.push(`the route ${placeOf(statement)} reads session state`);
        continue;
      }
      if (Node.isExportable(statement) && isExported(statement)) {
        plan.problems.push(`the session plumbing ${placeOf(statement)} is exported, so other modules may use it`);
        continue;
      }
      plan.removed.push(statement);
    }
    if (container) dropDeadLocals(container, plan.removed, plumbing);
  };
  visit(statements);
  return plan;
}

/**
 * Whether every use of a function declared by `statement` is a call inside a process event callback
 * (`process.on('SIGTERM', () => stop('SIGTERM'))`): a shutdown helper, whatever its parameters say.
 */
function calledOnShutdownOnly(statement: Node): boolean {
  return usedOnlyWhere(
    statement,
    (use) => {
      const call = use.getParent();
      if (!Node.isCallExpression(call) || call.getExpression() !== use) return false;
      return call.getFirstAncestor((a) => Node.isCallExpression(a) && isProcessEvent(a)) !== undefined;
    },
    { exportedToo: true },
  );
}

/** Whether every use of the function `statement` declares is a call inside one of `handlers`. */
function calledOnlyFrom(statement: Node, handlers: readonly FunctionLike[]): boolean {
  return usedOnlyWhere(statement, (use) => Node.isCallExpression(use.getParent()) && handlers.some((h) => within(use, h)));
}

/** `process.on('SIGTERM', …)` and its kin: a listener for an event that ends the process. */
function isProcessEvent(call: CallExpression): boolean {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || callee.getExpression().getText() !== 'process') return false;
  if (!SHUTDOWN_LISTENERS.includes(callee.getName())) return false;
  const [event] = call.getArguments();
  return event !== undefined && Node.isStringLiteral(event) && SHUTDOWN_EVENTS.includes(event.getLiteralValue());
}

/** The function a statement declares: `function f() {}` or `const f = () => {}`. */
export function declaredFunction(statement: Node): FunctionLike | undefined {
  if (Node.isFunctionDeclaration(statement)) return statement;
  if (!Node.isVariableStatement(statement)) return undefined;
  const declarations = statement.getDeclarations();
  const initializer = declarations.length === 1 ? declarations[0]?.getInitializer() : undefined;
  return initializer && isFunctionLike(initializer) ? initializer : undefined;
}

function isRouteCall(statement: Node): boolean {
  const expression = Node.isExpressionStatement(statement) ? statement.getExpression() : undefined;
  if (!expression || !Node.isCallExpression(expression)) return false;
  const [first] = expression.getArguments();
  return first !== undefined && Node.isStringLiteral(first) && first.getLiteralValue().startsWith('/');
}
