/**
 * What statements do to a piece of state: release it (`await db?.close()`), reset it (`db = null`), or change
 * it in place, and where a changed copy must be written back to the store.
 */
import { Node, SyntaxKind, type Statement } from 'ts-morph';
import { isNullish, unwrap } from '../../src/analysis/syntax.js';
import { DISPOSE_METHODS } from '../../src/rules/handles-verbs.js';
import { topStatementOf } from './body.js';
import type { InlineHandler } from './registration.js';
import { nearestFunction, returnsOf } from './site.js';

/** Array methods that run their callback right away: a change made inside one is still part of this call. */
const SYNCHRONOUS_CALLBACKS = ['forEach', 'map', 'filter', 'reduce', 'some', 'every', 'find', 'findIndex', 'flatMap', 'sort'];

/**
 * A statement that only releases `name` (`await db.close()`, `db?.close()`, `if (db) await db.close()`):
 * returns the dispose hook it amounts to, `(db) => db.close()`. `parameter` is how the hook receives the value
 * (`{ client }` when `client` is one part of a record).
 */
export function disposeOf(statement: Node, name: string, parameter = name): string | undefined {
  if (Node.isIfStatement(statement) && !statement.getElseStatement() && unwrap(statement.getExpression()).getText() === name) {
    const then = statement.getThenStatement();
    const inner = Node.isBlock(then) ? then.getStatements() : [then];
    return inner.length === 1 ? disposeOf(inner[0]!, name, parameter) : undefined;
  }
  if (!Node.isExpressionStatement(statement)) return undefined;
  const expression = unwrap(statement.getExpression());
  if (!Node.isCallExpression(expression)) return undefined;
  const callee = expression.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || !DISPOSE_METHODS.includes(callee.getName())) return undefined;
  if (unwrap(callee.getExpression()).getText() !== name) return undefined;
  const args = expression.getArguments().map((a) => a.getText()).join(', ');
  return `(${parameter}) => ${name}.${callee.getName()}(${args})`;
}

/** `name = null;` / `name = undefined;` as a whole statement. */
export function isResetStatement(statement: Node, name: string): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const expression = unwrap(statement.getExpression());
  return (
    Node.isBinaryExpression(expression) &&
    expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken &&
    unwrap(expression.getLeft()).getText() === name &&
    isNullish(expression.getRight())
  );
}

/**
 * Where to write a changed value back: after the last top-level statement of the handler that changes it.
 * Undefined when a write could be skipped by an early return, happens inside a return, or happens in a callback
 * that may run later: then a copy cannot be written back reliably and the value must stay in this process.
 */
export function writeBackPoint(handler: InlineHandler, writes: readonly Node[]): Statement | undefined {
  if (writes.length === 0) return undefined;
  const tops: Statement[] = [];
  for (const write of writes) {
    const top = topStatementOf(handler, write);
    if (!top) return undefined;
    if (!runsNow(write, handler)) return undefined;
    tops.push(top);
  }
  const last = tops.reduce((a, b) => (b.getStart() > a.getStart() ? b : a));
  if (Node.isReturnStatement(last)) return undefined;
  const first = Math.min(...writes.map((w) => w.getStart()));
  const early = returnsOf(handler).some((r) => r.getStart() > first && r.getStart() < last.getEnd());
  return early ? undefined : last;
}

/** Whether code at `node` runs during the handler call itself (directly, or in a synchronous array callback). */
function runsNow(node: Node, handler: InlineHandler): boolean {
  for (let fn = nearestFunction(node); fn && fn !== handler; fn = nearestFunction(fn)) {
    const call = fn.getParent();
    if (!call || !Node.isCallExpression(call)) return false;
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !SYNCHRONOUS_CALLBACKS.includes(callee.getName())) return false;
  }
  return true;
}
