import { Node } from 'ts-morph';

/**
 * Where a node sits, in words a marker can carry: its named function (`in connect()`) or the start of its
 * statement. Never a line number: lines move as soon as the migration's edits and markers land.
 */
export function placeOf(node: Node): string {
  const fn = node.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a));
  const name = fn && (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) ? fn.getName() : undefined;
  if (name) return `in ${name}()`;
  let statement: Node = node;
  while (statement.getParent() && !Node.isSourceFile(statement.getParent()) && !Node.isBlock(statement.getParent())) statement = statement.getParentOrThrow();
  const text = statement.getText().replace(/\s+/g, ' ');
  return `at \`${text.length > 40 ? `${text.slice(0, 39)}…` : text}\``;
}

/** The name of the innermost function holding a node (declaration, method, or an arrow bound to a variable), as `name()`. */
export function enclosingFunctionName(node: Node): string | undefined {
  for (const fn of node.getAncestors()) {
    if (Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn)) return fn.getName() ? `${fn.getName()}()` : undefined;
    if (Node.isArrowFunction(fn) || Node.isFunctionExpression(fn)) {
      const holder = fn.getParent();
      return holder && Node.isVariableDeclaration(holder) ? `${holder.getName()}()` : undefined;
    }
  }
  return undefined;
}

/** Whether `inner` lies within `outer` (or is it). */
export function within(inner: Node, outer: Node): boolean {
  return inner.getStart() >= outer.getStart() && inner.getEnd() <= outer.getEnd() && inner.getSourceFile() === outer.getSourceFile();
}
