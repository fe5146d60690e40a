import { Node, SyntaxKind, VariableDeclarationKind, type SourceFile, type ts } from 'ts-morph';
import { CONTAINER_CONSTRUCTORS, KEYED_METHODS, MUTATING_METHODS, SESSION_ID_PROPERTIES } from '../../src/rules/transport-state.js';
import { referencesIn } from '../shared/declarations.js';
import { enclosingFunction, type FunctionLike, type Resolver } from './syntax.js';
import { nodesOfKind } from '../shared/file-index.js';

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
}

function assignedIn(ref: Node): boolean {
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
function mutatedThrough(ref: Node): boolean {
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

function holdsObject(initializer: Node | undefined): boolean {
  if (!initializer) return false;
  if (Node.isArrayLiteralExpression(initializer) || Node.isObjectLiteralExpression(initializer)) return true;
  if (Node.isNewExpression(initializer)) {
    const name = initializer.getExpression().getText();
    return CONTAINER_CONSTRUCTORS.includes(name) || /^[A-Z]/.test(name);
  }
  return false;
}

/** Variables of a factory that nested functions (tool handlers) reassign or mutate. */
export function factoryClosureState(factory: FunctionLike, resolver: Resolver): StateFinding[] {
  const body = factory.getBody();
  if (!body) return [];
  const findings: StateFinding[] = [];
  for (const declaration of nodesOfKind(body, SyntaxKind.VariableDeclaration)) {
    if (enclosingFunction(declaration) !== factory) continue;
    const name = declaration.getNameNode();
    if (!Node.isIdentifier(name)) continue;
    const captured = referencesIn(body).filter((id) => id.getText() === name.getText() && resolver.of(id)?.compilerNode === declaration.compilerNode && enclosingFunction(id) !== factory);
    if (captured.length === 0) continue;
    const list = declaration.getParent();
    const reassignable = Node.isVariableDeclarationList(list) && list.getDeclarationKind() !== VariableDeclarationKind.Const;
    const reassigned = reassignable && captured.some(assignedIn);
    const mutated = holdsObject(declaration.getInitializer()) && captured.some(mutatedThrough);
    if (reassigned || mutated) findings.push({ node: declaration, name: name.getText() });
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
    const root = Node.isIdentifier(target) ? resolver.of(target) : undefined;
    if (root && plumbing.has(root.compilerNode)) return;
    const name = target.getText();
    if (!findings.has(name)) findings.set(name, { node: at, name });
  };
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee) && KEYED_METHODS.includes(callee.getName())) consider(callee.getExpression(), call.getArguments()[0], call);
  }
  for (const access of nodesOfKind(file, SyntaxKind.ElementAccessExpression)) {
    consider(access.getExpression(), access.getArgumentExpression(), access);
  }
  return [...findings.values()];
}
