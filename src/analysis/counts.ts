import { Node } from 'ts-morph';

const COUNTING = /^Object\.(keys|values|entries)$/;

/**
 * The map a count counts: `m` of `m.size`, or of `Object.keys(m).length` (and `values`, `entries`); undefined for
 * anything else. A route that only counts the session map (a health check) serves no session.
 */
export function countedMap(node: Node | undefined): Node | undefined {
  if (!node || !Node.isPropertyAccessExpression(node)) return undefined;
  const target = node.getExpression();
  if (node.getName() === 'size') return Node.isIdentifier(target) ? target : undefined;
  const counting = node.getName() === 'length' && Node.isCallExpression(target) && target.getArguments().length === 1 && COUNTING.test(target.getExpression().getText());
  return counting && Node.isCallExpression(target) ? target.getArguments()[0] : undefined;
}

/**
 * Whether a map is only measured where it stands: counted (`m` in `m.size`, `Object.keys(m).length`) or checked
 * to exist (`m !== null`), as a health or readiness route does.
 */
export function onlyMeasured(id: Node): boolean {
  const parent = id.getParent();
  if ([parent, parent?.getParent()].some((around) => around !== undefined && countedMap(around) === id)) return true;
  if (!parent || !Node.isBinaryExpression(parent)) return false;
  const other = parent.getLeft() === id ? parent.getRight() : parent.getLeft();
  const comparison = ['===', '!==', '==', '!='].includes(parent.getOperatorToken().getText());
  return comparison && (Node.isNullLiteral(other) || other.getText() === 'undefined');
}
