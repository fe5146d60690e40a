import { Node, SyntaxKind, type SourceFile, type Statement } from 'ts-morph';
import { HANDLE_RESOLVE_METHODS, lookup, REGISTRATION_METHODS } from '../../src/rules/lists-sdk.js';
import { contains, declarationOf, isFalsyLiteral, methodCall, rootIdentifier, statementOf, stringValue, type FunctionLike } from './ast.js';
import { nodesOfKind } from '../shared/file-index.js';

/**
 * The call-time check that replaces a list toggle: the tool is available while `target` is truthy
 * (`positive`) or falsy. `target` is the state the code assigned right next to the toggle, so the
 * check asks exactly what the enabling call established.
 */
export interface GateCondition {
  target: string;
  positive: boolean;
  /** The root identifier of the target, for scope and marker checks. */
  root: Node;
}

function isRegistrationCall(node: Node): boolean {
  if (!Node.isCallExpression(node)) return false;
  const parts = methodCall(node);
  return !!parts && lookup(REGISTRATION_METHODS, parts.method) !== undefined;
}

function statementsOf(container: Node): Statement[] {
  if (Node.isBlock(container) || Node.isSourceFile(container) || Node.isCaseClause(container) || Node.isDefaultClause(container)) {
    return container.getStatements();
  }
  return [];
}

/**
 * Assignments to state declared outside `fn`, nearest first, taken from the block that holds
 * `statement` or, when it has none, from the closest enclosing block inside `fn` that has some.
 * `available` says whether the statement makes the gated thing available (enable) or not (disable).
 */
export function conditionsNear(statement: Statement, fn: FunctionLike, available: boolean): GateCondition[] {
  let anchor: Node | undefined = statement;
  while (anchor) {
    const container: Node | undefined = anchor.getParent();
    if (!container) return [];
    const siblings = statementsOf(container);
    const index = siblings.indexOf(anchor as Statement);
    const found: Array<GateCondition & { distance: number }> = [];
    siblings.forEach((sibling, i) => {
      if (i === index || !Node.isExpressionStatement(sibling)) return;
      const expression = sibling.getExpression();
      if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return;
      const left = expression.getLeft();
      const root = rootIdentifier(left);
      const declaration = root && declarationOf(root);
      if (!root || !declaration || contains(fn, declaration) || isRegistrationCall(expression.getRight())) return;
      const valueTruthy = !isFalsyLiteral(expression.getRight());
      found.push({
        target: left.getText(),
        positive: available ? valueTruthy : !valueTruthy,
        root,
        // Prefer the assignment just before the toggle; one after it comes second.
        distance: i < index ? index - i : i - index + 0.5,
      });
    });
    if (found.length > 0) return found.sort((a, b) => a.distance - b.distance).map(({ distance: _d, ...rest }) => rest);
    if (container === fn.getBody()) return [];
    anchor = statementOf(container.getParentOrThrow());
    if (anchor && !contains(fn, anchor)) return [];
  }
  return [];
}

/** Conditions every toggle agrees on, in the order of the first toggle's preference. */
export function agreed(perToggle: readonly GateCondition[][]): GateCondition[] {
  const [first, ...rest] = perToggle;
  if (!first) return [];
  return first.filter((c) => rest.every((list) => list.some((o) => o.target === c.target && o.positive === c.positive)));
}

/** Is the condition's state visible (declared in an enclosing scope) at `where`? */
export function visibleAt(condition: GateCondition, where: Node): boolean {
  const declaration = declarationOf(condition.root);
  if (!declaration) return false;
  const scope = Node.isParameterDeclaration(declaration)
    ? declaration.getParent()
    : declaration.getFirstAncestor((a) => Node.isBlock(a) || Node.isSourceFile(a) || Node.isCaseClause(a) || Node.isModuleBlock(a));
  return !!scope && contains(scope, where);
}

/**
 * What the state holds before any call, when its declaration says so literally: `let loggedIn = false`
 * starts falsy, `let user: User | null = null` too. Undefined when it depends on runtime values.
 */
export function initiallyTruthy(condition: GateCondition): boolean | undefined {
  if (condition.target !== condition.root.getText()) return undefined;
  const declaration = declarationOf(condition.root);
  if (!declaration || !Node.isVariableDeclaration(declaration)) return undefined;
  const init = declaration.getInitializer();
  if (!init) return false;
  if (isFalsyLiteral(init)) return false;
  const literal =
    init.getText() === 'true' ||
    Node.isNumericLiteral(init) ||
    stringValue(init) !== undefined ||
    Node.isObjectLiteralExpression(init) ||
    Node.isArrayLiteralExpression(init);
  return literal ? true : undefined;
}

const NOT_HANDLE_STORES = new Set(['Promise', 'path', 'posix', 'win32', 'dns', 'require']);

/** Does a handler already resolve a state handle (and so answer helpfully when it is missing)? */
export function resolvesHandle(fn: FunctionLike | undefined): boolean {
  if (!fn) return false;
  return nodesOfKind(fn, SyntaxKind.CallExpression).some((call) => {
    const parts = methodCall(call);
    const args = call.getArguments();
    // `handles.resolve(kind, id, principal)`; `Promise.resolve(x)` and `path.resolve(a, b)` are not.
    return !!parts && HANDLE_RESOLVE_METHODS.includes(parts.method) && args.length === 3 && !NOT_HANDLE_STORES.has(parts.receiver.getText());
  });
}

/** The variable statement / declaration that a deferred SL003 marker should sit on, found again by name. */
export function locateDeclaration(name: string, text: string): (file: SourceFile) => Node | undefined {
  return (file) =>
    nodesOfKind(file, SyntaxKind.VariableDeclaration).find((d) => d.getName() === name && d.getText() === text);
}
