import { placeOf } from '../shared/place.js';
/**
 * Reading keyed state (P1) in code: what each access to a session-keyed container does (get, set, delete,
 * has), which locals hold an entry, what changes an entry in place, and which statements only created an
 * entry on first use.
 */
import { Node, SyntaxKind, type CallExpression, type Expression, type Statement } from 'ts-morph';
import type { ThreadedBody } from './threaded-helpers.js';
import type { Registration, StateAccess } from '../../src/analysis/index.js';
import { isWriteTarget, outermostWrapper, unwrap } from '../../src/analysis/syntax.js';
import { MUTATING_METHODS } from '../../src/rules/handles-values.js';
import type { EditableTool, InlineHandler } from './registration.js';
import { Undecided } from './site.js';
import { identifiersOf } from '../shared/file-index.js';

/** One keyed operation on the container, read from the code around an access. */
export type Operation =
  | { op: 'get'; access: StateAccess; replace: Node; fallback?: Expression; viaAccessor?: boolean }
  | { op: 'set'; access: StateAccess; statement: Statement; value: Expression }
  | { op: 'delete'; access: StateAccess; statement: Statement }
  | { op: 'has'; access: StateAccess; node: Node }
  /** A call of a helper that now takes the caller's entry as a parameter. */
  | { op: 'pass'; access: StateAccess; call: CallExpression; body: ThreadedBody };

export interface KeyedUse {
  registration: Registration;
  tool: EditableTool;
  operations: Operation[];
  /** The local holding the resolved entry, when accessor calls read it in place (`notebookOf(id)[i]`). */
  entryLocal?: string;
}

/** What an access does to the container, and the code that does it. */
export function operationOf(access: StateAccess, declaration: Node): Operation {
  const reference = outermostWrapper(access.node);
  const parent = reference.getParent();
  if (parent && Node.isPropertyAccessExpression(parent)) {
    const method = parent.getName();
    const invocation = parent.getParent();
    if (invocation && Node.isCallExpression(invocation) && invocation.getExpression() === parent) {
      if (method === 'get') return getOperation(access, invocation);
      if (method === 'has') return { op: 'has', access, node: invocation };
      const statement = wholeStatement(invocation);
      if (method === 'set' && statement) return { op: 'set', access, statement, value: invocation.getArguments()[1] as Expression };
      if (method === 'delete' && statement) return { op: 'delete', access, statement };
    }
  }
  if (parent && Node.isElementAccessExpression(parent) && parent.getExpression() === reference) {
    const outer = outermostWrapper(parent);
    const holder = outer.getParent();
    if (holder && Node.isDeleteExpression(holder)) {
      const statement = wholeStatement(holder);
      if (statement) return { op: 'delete', access, statement };
    }
    if (holder && Node.isBinaryExpression(holder) && holder.getLeft() === outer) {
      const statement = wholeStatement(holder);
      const operator = holder.getOperatorToken().getKind();
      if (statement && operator === SyntaxKind.EqualsToken) return { op: 'set', access, statement, value: holder.getRight() };
    }
    if (!holder || !(Node.isBinaryExpression(holder) && holder.getLeft() === outer)) return getOperation(access, parent);
  }
  throw new Undecided(
    declaration,
    `${access.node.getText()} is also used as a whole (${placeOf(access.node)}: size, iteration or passing it on), which looks like state shared across sessions on purpose; decide whether its entries belong to one caller (then hand out handles) or to everyone (then key them explicitly)`,
  );
}

/** A read of one entry; `?? init` / `|| init` / `!` around it go with it (the handle always resolves). */
export function getOperation(access: StateAccess, read: Node): Extract<Operation, { op: 'get' }> {
  let replace = outermostWrapper(read);
  let fallback: Expression | undefined;
  const parent = replace.getParent();
  if (parent && Node.isBinaryExpression(parent) && parent.getLeft() === replace && ['??', '||'].includes(parent.getOperatorToken().getText())) {
    fallback = parent.getRight();
    replace = parent;
  }
  return { op: 'get', access, replace, fallback };
}

/** The expression statement that is exactly `node` (no value used). */
function wholeStatement(node: Node): Statement | undefined {
  const outer = outermostWrapper(node);
  const parent = outer.getParent();
  return parent && Node.isExpressionStatement(parent) ? parent : undefined;
}

/** Whether a read's value goes straight into a local (`const cart = …`). */
export function isBound(operation: Extract<Operation, { op: 'get' }>): boolean {
  const holder = operation.replace.getParent();
  return !!holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode());
}

/**
 * Locals holding a part of an entry read in place (`const cell = notebookOf(id)[index]`), and changes made
 * through the read itself: what changes the entry when no local holds the entry as a whole.
 */
export function partMutations(handler: InlineHandler, read: Node): Node[] {
  const mutations: Node[] = isChainMutated(read) ? [read] : [];
  let current = read;
  for (let parent = current.getParent(); parent && (Node.isPropertyAccessExpression(parent) || Node.isElementAccessExpression(parent)) && parent.getExpression() === current; parent = current.getParent()) {
    current = outermostWrapper(parent);
  }
  const holder = current.getParent();
  if (current !== read && holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode())) {
    mutations.push(...localMutations(handler, holder.getName(), holder));
  }
  return mutations;
}

/** Locals bound to an entry: `const cart = carts.get(id) ?? []`. */
export function boundLocals(use: KeyedUse): Map<string, Node> {
  const out = new Map<string, Node>();
  for (const operation of use.operations) {
    if (operation.op !== 'get') continue;
    const holder = operation.replace.getParent();
    if (holder && Node.isVariableDeclaration(holder) && Node.isIdentifier(holder.getNameNode())) out.set(holder.getName(), holder);
  }
  return out;
}

/** Changes made in place to a local (`cart.push(…)`, `cart.total = …`). */
export function localMutations(handler: InlineHandler, local: string, declaration: Node): Node[] {
  return identifiersOf(handler).filter((identifier) => {
    if (identifier.getText() !== local || identifier.getParent() === declaration) return false;
    return isChainMutated(identifier);
  });
}

/** `x.push(…)`, `x.a = …`, `x[i] = …`, `x.list.push(…)`: the value reached from `node` changes in place. */
export function isChainMutated(node: Node): boolean {
  let current = outermostWrapper(node);
  for (;;) {
    const parent = current.getParent();
    if (!parent) return false;
    if (Node.isPropertyAccessExpression(parent) && parent.getExpression() === current) {
      const invocation = parent.getParent();
      if (invocation && Node.isCallExpression(invocation) && invocation.getExpression() === parent) return MUTATING_METHODS.includes(parent.getName());
      current = outermostWrapper(parent);
    } else if (Node.isElementAccessExpression(parent) && parent.getExpression() === current) {
      current = outermostWrapper(parent);
    } else {
      return current !== outermostWrapper(node) && isWriteTarget(current);
    }
  }
}

/** Statements that only created an entry on first use, with the value they created. */
export function lazyCreation(use: KeyedUse, name: string): { statements: Statement[]; initial: Expression | undefined } {
  const statements: Statement[] = [];
  let initial: Expression | undefined;
  const locals = boundLocals(use);
  for (const operation of use.operations) {
    if (operation.op !== 'set') continue;
    const guard = operation.statement.getParent()?.getKind() === SyntaxKind.Block ? operation.statement.getParent()?.getParent() : operation.statement.getParent();
    if (!guard || !Node.isIfStatement(guard) || guard.getElseStatement()) continue;
    const condition = unwrap(guard.getExpression());
    const negated = Node.isPrefixUnaryExpression(condition) && condition.getOperatorToken() === SyntaxKind.ExclamationToken ? unwrap(condition.getOperand()) : undefined;
    const then = guard.getThenStatement();
    const inner = Node.isBlock(then) ? then.getStatements() : [then];
    // if (!carts.has(id)) carts.set(id, init)
    if (negated && Node.isCallExpression(negated) && negated.getExpression().getText() === `${name}.has` && inner.length === 1) {
      statements.push(guard);
      initial ??= operation.value;
      continue;
    }
    // if (!cart) { cart = init; carts.set(id, cart); }
    if (negated && Node.isIdentifier(negated) && locals.has(negated.getText()) && inner.length === 2) {
      const assignment = inner[0]!;
      if (Node.isExpressionStatement(assignment)) {
        const expression = unwrap(assignment.getExpression());
        if (Node.isBinaryExpression(expression) && expression.getLeft().getText() === negated.getText() && expression.getOperatorToken().getText() === '=') {
          statements.push(guard);
          initial ??= expression.getRight();
        }
      }
    }
  }
  return { statements, initial };
}
