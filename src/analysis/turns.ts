import { Node, SyntaxKind } from 'ts-morph';

/**
 * `await inTurn(async () => { … server.connect(transport) … })`, where `inTurn` chains each function it is handed
 * after the previous one (`queue.then(serve)`): the requests take turns with the one server, so none is refused.
 */
function takesTurns(handler: Node): boolean {
  const call = handler.getParent();
  if (!call || !Node.isCallExpression(call) || !call.getArguments().includes(handler)) return false;
  const callee = call.getExpression();
  const declaration = Node.isIdentifier(callee) ? callee.getSymbol()?.getDeclarations()[0] : undefined;
  if (!declaration || !Node.isFunctionDeclaration(declaration)) return false;
  const [serve] = declaration.getParameters();
  if (!serve) return false;
  return declaration.getDescendantsOfKind(SyntaxKind.CallExpression).some((chained) => {
    const then = chained.getExpression();
    const [argument] = chained.getArguments();
    return Node.isPropertyAccessExpression(then) && then.getName() === 'then' && argument !== undefined && argument.getText() === serve.getName();
  });
}

/** Whether `node` runs inside a function handed to such a helper. */
export function inTurn(node: Node): boolean {
  const fn = node.getFirstAncestor((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a));
  return fn !== undefined && takesTurns(fn);
}
