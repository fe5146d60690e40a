import { Node, SyntaxKind, type BinaryExpression } from 'ts-morph';

/** `this.<name> = …` assignments inside `scope`: where an object's field gets a value. */
export function thisFieldAssignments(scope: Node, name: string): BinaryExpression[] {
  return scope.getDescendantsOfKind(SyntaxKind.BinaryExpression).filter((binary) => {
    const left = binary.getLeft();
    return (
      binary.getOperatorToken().getKind() === SyntaxKind.EqualsToken &&
      Node.isPropertyAccessExpression(left) &&
      left.getExpression().getKind() === SyntaxKind.ThisKeyword &&
      left.getName() === name
    );
  });
}
