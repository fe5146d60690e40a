import { Node, SyntaxKind, type Block, type CallExpression, type Expression, type ObjectLiteralExpression, type Statement, type VariableStatement } from 'ts-morph';
import { CLIENT_ACCESSORS } from '../../src/rules/context-sdk.js';
import { HANDLER_OBJECT_REGISTRATIONS, lookup, type ListKind } from '../../src/rules/lists-sdk.js';
import { contains, declarationOf, isFunctionLike, methodCall, stringValue, type FunctionLike } from './ast.js';
import { isPure } from './edit.js';
import { standaloneStatement } from './gates.js';
import { findRegistrations } from './handlers.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/*
 * What a function that registers tools looks like when it registers them only for some clients:
 *
 *   const caps = server.server.getClientCapabilities() || {};   // the chain: values derived from
 *   const canSample = caps.sampling !== undefined;              //   what the client declared
 *   if (canSample) server.registerTool('draft', cfg, handler);   // a gated registration
 *
 * The chain is read once per connection; the 2026-07-28 revision has no connection, so the chain moves
 * into the handlers that need it and the gate becomes a call-time check there.
 */

/** A handler a registration runs per request, and where its per-request context parameter sits. */
export interface RegisteredHandler {
  fn: FunctionLike;
  ctxIndex: number;
  /** The handler a call starts in: where the call-time check goes. */
  entry: boolean;
}

/** One registration call standing alone in a statement. */
export interface RegistrationCall {
  call: CallExpression;
  statement: Statement;
  kind: ListKind;
  /** The registered name when it is a literal or a const string of the file. */
  name: string | undefined;
  handlers: RegisteredHandler[];
  /** Whether every handler is written inline (so reads can be moved into it). */
  inline: boolean;
}

/** A statement of the function that registers: a registration, or `if (<chain>) { registrations }`. */
export interface RegistrationStatement {
  statement: Statement;
  condition?: Expression;
  calls: RegistrationCall[];
}

/** How the body of a registering function (or a connection hook) divides up. */
export interface FunctionShape {
  chain: VariableStatement[];
  chainNames: Set<string>;
  registrations: RegistrationStatement[];
  /** Calls standing alone as statements (`registerXTool(server);`), candidates for registering helpers. */
  calls: Statement[];
  /** Everything else. */
  others: Statement[];
}

/** `server.getClientCapabilities()` / `getClientVersion()` without arguments. */
export function isAccessorCall(node: Node): node is CallExpression {
  if (!Node.isCallExpression(node) || node.getArguments().length > 0) return false;
  const parts = methodCall(node);
  return !!parts && lookup(CLIENT_ACCESSORS, parts.method) !== undefined;
}

/** Only reads: property accesses, operators, literals, casts, the accessors and pure lookups. */
function readsOnly(expression: Node): boolean {
  if (Node.isAwaitExpression(expression) || Node.isNewExpression(expression) || isFunctionLike(expression) || Node.isClassExpression(expression)) return false;
  for (const node of expression.getDescendants()) {
    if (Node.isCallExpression(node)) {
      if (isAccessorCall(node)) continue;
      if (!isPure(node)) return false;
    }
    if (Node.isAwaitExpression(node) || Node.isNewExpression(node) || isFunctionLike(node) || Node.isClassExpression(node) || Node.isDeleteExpression(node)) return false;
    if (Node.isPostfixUnaryExpression(node) || (Node.isPrefixUnaryExpression(node) && [SyntaxKind.PlusPlusToken, SyntaxKind.MinusMinusToken].includes(node.getOperatorToken()))) return false;
    if (Node.isBinaryExpression(node)) {
      const kind = node.getOperatorToken().getKind();
      if (kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment) return false;
    }
  }
  return true;
}

/** Does the expression depend on what the client declared: an accessor call or a chain name? */
function readsClient(expression: Node, chainNames: ReadonlySet<string>): boolean {
  if (isAccessorCall(expression) || [expression, ...expression.getDescendants()].some(isAccessorCall)) return true;
  return selfAndIdentifiers(expression).some((id) => chainNames.has(id.getText()) && isChainReference(id, chainNames));
}

/** The identifiers of a node, itself included when it is one. */
function selfAndIdentifiers(node: Node): Node[] {
  return Node.isIdentifier(node) ? [node] : identifiersOf(node);
}

function isChainReference(identifier: Node, chainNames: ReadonlySet<string>): boolean {
  const parent = identifier.getParent();
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false;
  if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) return false;
  const declaration = declarationOf(identifier);
  return !!declaration && Node.isVariableDeclaration(declaration) && chainNames.has(declaration.getName());
}

/** `const x = <reads of the client's declaration>`: one chain link. */
function chainLink(statement: Statement, chainNames: ReadonlySet<string>): string | undefined {
  if (!Node.isVariableStatement(statement) || statement.getDeclarationKind() !== 'const') return undefined;
  const [declaration, ...more] = statement.getDeclarations();
  const init = declaration?.getInitializer();
  if (!declaration || more.length > 0 || !init || !Node.isIdentifier(declaration.getNameNode())) return undefined;
  return readsOnly(init) && readsClient(init, chainNames) ? declaration.getName() : undefined;
}

/** The value of a name given as an identifier bound to a const string in the file. */
function constString(node: Node | undefined): string | undefined {
  const literal = stringValue(node);
  if (literal !== undefined || !node || !Node.isIdentifier(node)) return literal;
  const declaration = declarationOf(node);
  if (!declaration || !Node.isVariableDeclaration(declaration) || declaration.getVariableStatement()?.getDeclarationKind() !== 'const') return undefined;
  return stringValue(declaration.getInitializer());
}

function constObject(node: Node | undefined): ObjectLiteralExpression | undefined {
  if (node && Node.isObjectLiteralExpression(node)) return node;
  if (!node || !Node.isIdentifier(node)) return undefined;
  const declaration = declarationOf(node);
  const init = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  return init && Node.isObjectLiteralExpression(init) ? init : undefined;
}

/** Registration calls of a file, keyed by call, standard and handler-object ones alike. */
export function registrationCalls(body: Node): Map<CallExpression, RegistrationCall> {
  const found = new Map<CallExpression, RegistrationCall>();
  const standard = new Map(findRegistrations(body.getSourceFile()).map((r) => [r.call, r]));
  for (const call of nodesOfKind(body, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    const statement = standaloneStatement(call);
    if (!parts || !statement) continue;
    const registration = standard.get(call);
    if (registration && registration.kind !== 'resource') {
      const handler = registration.handler;
      found.set(call, {
        call,
        statement,
        kind: registration.kind,
        name: constString(call.getArguments()[0]),
        handlers: handler ? [{ fn: handler, ctxIndex: registration.ctxIndex, entry: true }] : [],
        inline: !!handler,
      });
      continue;
    }
    const row = lookup(HANDLER_OBJECT_REGISTRATIONS, parts.method);
    const args = call.getArguments();
    const object = row && args.length >= 2 ? args[args.length - 1] : undefined;
    if (!row || !object || !Node.isObjectLiteralExpression(object)) continue;
    const ctxIndex = constObject(args[1])?.getProperty(row.argsProperty) ? 1 : 0;
    const handlers: RegisteredHandler[] = [];
    let inline = true;
    for (const property of object.getProperties()) {
      const name = Node.isMethodDeclaration(property) || Node.isPropertyAssignment(property) ? property.getName() : undefined;
      if (!name || !row.handlers.includes(name)) continue;
      const fn = Node.isMethodDeclaration(property) ? property : property.asKindOrThrow(SyntaxKind.PropertyAssignment).getInitializer();
      if (fn && isFunctionLike(fn)) handlers.push({ fn, ctxIndex, entry: name === row.entry });
      else inline = false;
    }
    found.set(call, { call, statement, kind: row.kind, name: constString(args[0]), handlers, inline: inline && handlers.some((h) => h.entry) });
  }
  return found;
}

/** The statements a gated `if` holds: its block's statements, or its single statement. */
function thenStatements(statement: Statement): Statement[] {
  if (!Node.isIfStatement(statement) || statement.getElseStatement()) return [];
  const then = statement.getThenStatement();
  return Node.isBlock(then) ? then.getStatements() : [then];
}

/** Divide a function body into the client chain, registrations (gated or not), plain calls and the rest. */
export function shapeOf(body: Block): FunctionShape {
  const calls = registrationCalls(body);
  const shape: FunctionShape = { chain: [], chainNames: new Set(), registrations: [], calls: [], others: [] };
  const registrationIn = (statement: Statement) => [...calls.values()].find((c) => c.statement === statement);
  for (const statement of body.getStatements()) {
    const link = chainLink(statement, shape.chainNames);
    if (link) {
      shape.chain.push(statement as VariableStatement);
      shape.chainNames.add(link);
      continue;
    }
    const direct = registrationIn(statement);
    if (direct) {
      shape.registrations.push({ statement, calls: [direct] });
      continue;
    }
    const inner = thenStatements(statement);
    const gated = inner.map(registrationIn);
    if (Node.isIfStatement(statement) && inner.length > 0 && gated.every((c) => !!c)) {
      const condition = statement.getExpression();
      if (readsOnly(condition) && readsClient(condition, shape.chainNames)) {
        shape.registrations.push({ statement, condition, calls: gated as RegistrationCall[] });
        continue;
      }
    }
    const expression = Node.isExpressionStatement(statement) ? statement.getExpression() : undefined;
    const call = expression && (Node.isAwaitExpression(expression) ? expression.getExpression() : expression);
    if (call && Node.isCallExpression(call) && Node.isIdentifier(call.getExpression())) shape.calls.push(statement);
    else shape.others.push(statement);
  }
  return shape;
}

/** Identifiers that refer to a chain declaration of this shape. */
export function chainReferences(node: Node, shape: FunctionShape): Node[] {
  return selfAndIdentifiers(node).filter((id) => shape.chainNames.has(id.getText()) && isChainReference(id, shape.chainNames));
}

/** Can the handler's context parameter be named: absent (it can be added) or a plain identifier? */
function contextNameable(handler: RegisteredHandler): boolean {
  const parameter = handler.fn.getParameters()[handler.ctxIndex];
  return !parameter || Node.isIdentifier(parameter.getNameNode());
}

/** An identifier that names a value (not a property name, an object key or part of a type). */
function isValueReference(identifier: Node): boolean {
  const parent = identifier.getParent();
  if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) return false;
  if ((Node.isPropertyAssignment(parent) || Node.isPropertySignature(parent)) && parent.getNameNode() === identifier) return false;
  return !identifier.getFirstAncestor((a) => Node.isTypeNode(a));
}

/** Names declared inside a function (parameters, variables, functions), which would shadow moved code. */
function declaredInside(fn: FunctionLike): Set<string> {
  const names = new Set<string>();
  for (const node of fn.getDescendants()) {
    const name =
      Node.isParameterDeclaration(node) || Node.isVariableDeclaration(node) || Node.isBindingElement(node) ? node.getNameNode() : Node.isFunctionDeclaration(node) ? node.getNameNode() : undefined;
    if (name && Node.isIdentifier(name)) names.add(name.getText());
  }
  return names;
}

/**
 * Can the chain move into the handlers? Every use of a chain name must be in another link, a gate, or
 * an inline handler of a registration of this function, and nothing in a handler may shadow what the
 * chain reads. `statements` narrows the registrations considered (a hook moves only some).
 */
export function chainMovable(shape: FunctionShape, statements: readonly RegistrationStatement[] = shape.registrations): boolean {
  const handlers = statements.flatMap((s) => s.calls.flatMap((c) => c.handlers.map((h) => h.fn)));
  const allowed = (id: Node) =>
    shape.chain.some((s) => contains(s, id)) ||
    statements.some((s) => s.condition && contains(s.condition, id)) ||
    handlers.some((fn) => contains(fn, id));
  const everywhere = [...shape.registrations.map((r) => r.statement), ...shape.calls, ...shape.others];
  if (everywhere.some((s) => chainReferences(s, shape).some((id) => !allowed(id)))) return false;
  if (statements.some((s) => s.condition && s.calls.some((c) => !c.inline))) return false;
  // The moved reads need the handler's per-request context under a name (not destructured).
  const needing = statements.flatMap((s) => s.calls.flatMap((c) => c.handlers.filter((h) => (h.entry && s.condition) || chainReferences(h.fn, shape).length > 0)));
  if (needing.some((h) => !contextNameable(h))) return false;
  const free = new Set([...shape.chainNames, ...shape.chain.flatMap((s) => identifiersOf(s).filter(isValueReference).map((id) => id.getText()))]);
  for (const fn of handlers) {
    if (chainReferences(fn, shape).length === 0 && !statements.some((s) => s.condition && s.calls.some((c) => c.handlers.some((h) => h.fn === fn)))) continue;
    const inside = declaredInside(fn);
    if ([...free].some((name) => inside.has(name))) return false;
  }
  return true;
}
