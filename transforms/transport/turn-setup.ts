import { Node, SyntaxKind } from 'ts-morph';
import { isFunctionLike } from './syntax.js';

/**
 * Statements a handler runs before serving that set a field of its own object for the request
 * (`this.currentUser = req.user`): once requests take turns with that object's server, they belong in the turn,
 * or a request still waiting for its turn would overwrite what the tools of the one being served read. Only
 * `this.name = …` statements ahead of `anchor` in the blocks around it (within its function), never the server's
 * own field, in the order they run.
 */
export function fieldsSetBefore(anchor: Node, serverField: string): Node[] {
  let out: Node[] = [];
  for (let node: Node | undefined = anchor; node && !isFunctionLike(node); node = node.getParent()) {
    const block = node.getParent();
    if (!block || !Node.isBlock(block)) continue;
    const before = block.getStatements().filter((statement) => statement.getEnd() <= node!.getStart() && setsOwnField(statement, serverField));
    out = [...before, ...out];
  }
  return out;
}

function setsOwnField(statement: Node, serverField: string): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const expression = statement.getExpression();
  if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return false;
  const left = expression.getLeft();
  return Node.isPropertyAccessExpression(left) && left.getExpression().getKind() === SyntaxKind.ThisKeyword && left.getName() !== serverField;
}
