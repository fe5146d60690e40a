import { Node, SyntaxKind, type ExpressionStatement } from 'ts-morph';
import { SESSION_CLOSE_HOOKS } from '../../src/rules/transport-state.js';
import { nodesOfKind } from '../shared/file-index.js';
import { fromColumnZero, isFunctionLike, type FunctionLike } from './syntax.js';

/**
 * Functions in `nodes` that run when a session ends: `transport.onclose = () => …`, `onsessionclosed: (id) => …`,
 * `res.on('close', () => …)`.
 */
function closeCallbacks(nodes: readonly Node[]): FunctionLike[] {
  const out: FunctionLike[] = [];
  for (const node of nodes) {
    for (const fn of [node, ...node.getDescendants()].filter(isFunctionLike)) {
      const parent = fn.getParent();
      const left = Node.isBinaryExpression(parent) && parent.getRight().compilerNode === fn.compilerNode ? parent.getLeft() : undefined;
      const assigned = Node.isPropertyAccessExpression(left) && SESSION_CLOSE_HOOKS.includes(left.getName());
      const option = Node.isPropertyAssignment(parent) && SESSION_CLOSE_HOOKS.includes(parent.getName());
      const listener = Node.isCallExpression(parent) && /\.on$/.test(parent.getExpression().getText()) && parent.getArguments()[0]?.getText().slice(1, -1) === 'close';
      if (assigned || option || listener) out.push(fn);
    }
  }
  return out;
}

/**
 * The access a statement starts from when it is a call on a resource named `name`: `dbManager` itself, or
 * `session.dbManager` (the session record it was kept in).
 */
function resourceAccess(statement: ExpressionStatement, names: ReadonlySet<string>): { node: Node; name: string } | undefined {
  let current: Node = statement.getExpression();
  for (;;) {
    if (Node.isAwaitExpression(current) || Node.isVoidExpression(current)) current = current.getExpression();
    else if (Node.isCallExpression(current) || Node.isNonNullExpression(current)) current = current.getExpression();
    else if (Node.isPropertyAccessExpression(current)) {
      const target = current.getExpression();
      if (Node.isIdentifier(target) && names.has(target.getText())) return { node: target, name: target.getText() };
      if (Node.isIdentifier(target) && names.has(current.getName())) return { node: current, name: current.getName() };
      current = target;
    } else return undefined;
  }
}

/**
 * What the end of a session did to resources its opening made, which the request now makes (a database manager
 * built from the caller's headers): `session.dbManager.disconnectAll().catch(…)` in `transport.onclose` becomes
 * `dbManager.disconnectAll().catch(…)` when the request ends. Each statement once, as written, indented from
 * column 0; none when the opening declares nothing.
 */
export function closingStatements(opening: readonly Node[], going: readonly Node[]): string[] {
  const names = new Set(opening.flatMap((statement) => (Node.isVariableStatement(statement) ? statement.getDeclarations().map((d) => d.getName()) : [])));
  if (names.size === 0) return [];
  const out: string[] = [];
  for (const callback of closeCallbacks(going)) {
    for (const statement of nodesOfKind(callback, SyntaxKind.ExpressionStatement)) {
      const access = resourceAccess(statement, names);
      if (!access) continue;
      const text = statement.getText();
      const start = access.node.getStart() - statement.getStart();
      const rewritten = `${text.slice(0, start)}${access.name}${text.slice(start + access.node.getText().length)}`;
      const joined = fromColumnZero(statement, rewritten);
      if (!out.includes(joined)) out.push(joined);
    }
  }
  return out;
}
