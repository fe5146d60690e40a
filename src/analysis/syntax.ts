/** Small syntactic helpers shared by the analysis passes. */
import { Node, SyntaxKind, ts, type ClassDeclaration, type Expression, type Identifier, type SourceFile, type Type } from 'ts-morph';
import { relativeOf } from '../engine/parse.js';
import type { FunctionNode, Location } from './model.js';

export function isFunctionNode(node: Node | undefined): node is FunctionNode {
  return (
    node !== undefined &&
    (Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node))
  );
}

/** Any function-like boundary, including constructors and accessors (for "nearest enclosing function"). */
export function isFunctionBoundary(node: Node): boolean {
  return isFunctionNode(node) || Node.isConstructorDeclaration(node) || Node.isGetAccessorDeclaration(node) || Node.isSetAccessorDeclaration(node);
}

export function enclosingFunction(node: Node): Node | undefined {
  return node.getParentWhile((parent) => !isFunctionBoundary(parent))?.getParent() ?? undefined;
}

/** The literal text of a string-ish node (`'x'`, `"x"`, `` `x` `` without substitutions). */
export function literalText(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText();
  return undefined;
}

/** Strip wrappers that do not change which value an expression denotes: parentheses, `!`, `as`, `satisfies`, `await`. */
/** Text a reader can see is a string: a literal, a template, or literals joined with `+` (a description over many lines). */
export function isStringExpression(node: Node | undefined): boolean {
  if (!node) return false;
  const inner = unwrap(node);
  if (literalText(inner) !== undefined || Node.isTemplateExpression(inner) || Node.isNoSubstitutionTemplateLiteral(inner)) return true;
  return Node.isBinaryExpression(inner) && inner.getOperatorToken().getText() === '+' && isStringExpression(inner.getLeft()) && isStringExpression(inner.getRight());
}

export function unwrap(node: Node): Node {
  let current = node;
  for (;;) {
    if (
      Node.isParenthesizedExpression(current) ||
      Node.isNonNullExpression(current) ||
      Node.isAsExpression(current) ||
      Node.isSatisfiesExpression(current) ||
      Node.isTypeAssertion(current) ||
      Node.isAwaitExpression(current)
    ) {
      current = current.getExpression();
    } else return current;
  }
}

/** Walk up from an expression through wrappers, returning the outermost wrapper. */
export function outermostWrapper(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.getParent();
    if (
      parent &&
      (Node.isParenthesizedExpression(parent) ||
        Node.isNonNullExpression(parent) ||
        Node.isAsExpression(parent) ||
        Node.isSatisfiesExpression(parent) ||
        Node.isTypeAssertion(parent) ||
        Node.isAwaitExpression(parent))
    ) {
      current = parent;
    } else return current;
  }
}

/** The method name of `a.b.name(…)` or `name(…)`. */
export function calleeName(expression: Expression): string | undefined {
  const callee = unwrap(expression);
  if (Node.isIdentifier(callee)) return callee.getText();
  if (Node.isPropertyAccessExpression(callee)) return callee.getName();
  return undefined;
}

export function isNullish(node: Node | undefined): boolean {
  if (!node) return true;
  const inner = unwrap(node);
  return inner.getKind() === SyntaxKind.NullKeyword || (Node.isIdentifier(inner) && inner.getText() === 'undefined') || Node.isVoidExpression(inner);
}

export const ASSIGNMENT_OPERATORS = new Set<SyntaxKind>([
  SyntaxKind.EqualsToken,
  SyntaxKind.PlusEqualsToken,
  SyntaxKind.MinusEqualsToken,
  SyntaxKind.AsteriskEqualsToken,
  SyntaxKind.SlashEqualsToken,
  SyntaxKind.PercentEqualsToken,
  SyntaxKind.BarBarEqualsToken,
  SyntaxKind.AmpersandAmpersandEqualsToken,
  SyntaxKind.QuestionQuestionEqualsToken,
  SyntaxKind.BarEqualsToken,
  SyntaxKind.AmpersandEqualsToken,
]);

/** Whether `node` is the target of an assignment, compound assignment, `++`/`--` or `delete`. */
export function isWriteTarget(node: Node): boolean {
  const outer = outermostWrapper(node);
  const parent = outer.getParent();
  if (!parent) return false;
  if (Node.isBinaryExpression(parent)) return parent.getLeft() === outer && ASSIGNMENT_OPERATORS.has(parent.getOperatorToken().getKind());
  if (Node.isPrefixUnaryExpression(parent) || Node.isPostfixUnaryExpression(parent)) {
    const op = parent.getOperatorToken();
    return op === SyntaxKind.PlusPlusToken || op === SyntaxKind.MinusMinusToken;
  }
  if (Node.isDeleteExpression(parent)) return true;
  // Destructuring assignment targets: `[a, b] = …`, `({ a } = …)`.
  if ((Node.isArrayLiteralExpression(parent) || Node.isShorthandPropertyAssignment(parent)) && isWriteTarget(parent)) return true;
  return false;
}

export function locationOf(node: Node, file?: SourceFile): Location {
  const source = file ?? node.getSourceFile();
  const { line, column } = source.getLineAndColumnAtPos(node.getStart());
  return { file: relativeOf(source), line, column };
}

/** Name of a class member, property or binding when it is a plain identifier or string. */
export function nameText(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (Node.isIdentifier(node) || Node.isPrivateIdentifier(node)) return node.getText();
  return literalText(node);
}

/**
 * Wrap a compiler node of `file` as its ts-morph node. ts-morph's own node factory (what `getDescendantsOfKind`
 * uses) is the cheap way; where a ts-morph build lacks it, fall back to the public API: the deepest node at the
 * start position, walked up to the node itself.
 */
export function wrapNode<T extends Node>(file: SourceFile, node: ts.Node): T | undefined {
  const factory = (file as unknown as { _getNodeFromCompilerNode?: (n: ts.Node) => Node })._getNodeFromCompilerNode;
  if (typeof factory === 'function') return factory.call(file, node) as T;
  for (let current = file.getDescendantAtPos(node.getStart(file.compilerNode)); current; current = current.getParent()) {
    if (current.compilerNode === node) return current as T;
    if (current.getPos() < node.pos) return undefined;
  }
  return undefined;
}

/**
 * Identifiers under a node, in document order, found by walking compiler nodes (ts-morph's
 * `getDescendantsOfKind(Identifier)` walks every token to find them, JSDoc included, and wraps each).
 */
export function identifiersUnder(node: Node): Identifier[] {
  const file = node.getSourceFile();
  const out: Identifier[] = [];
  const visit = (current: ts.Node): void => {
    if (ts.isIdentifier(current)) {
      const wrapped = wrapNode<Identifier>(file, current);
      if (wrapped) out.push(wrapped);
    }
    ts.forEachChild(current, visit);
  };
  ts.forEachChild(node.compilerNode, visit);
  return out;
}

/** What a name is declared as, through the import that brought it in (the checker's symbol, followed). */
export function declarationsThroughImport(node: Node): Node[] {
  const symbol = node.getSymbol();
  const target = symbol?.isAlias() ? symbol.getAliasedSymbol() : symbol;
  return target?.getDeclarations() ?? [];
}

/**
 * The project class a value builds (`new BrowserManager()`, also awaited, parenthesised or cast), through an
 * import; undefined for classes of dependencies and for anything else.
 */
export function projectClassBuilt(value: Node | undefined): ClassDeclaration | undefined {
  let inner = value;
  while (inner && (Node.isAwaitExpression(inner) || Node.isParenthesizedExpression(inner) || Node.isAsExpression(inner))) inner = inner.getExpression();
  if (!inner || !Node.isNewExpression(inner)) return undefined;
  const declaration = declarationsThroughImport(inner.getExpression())[0];
  if (!declaration || !Node.isClassDeclaration(declaration)) return undefined;
  const file = declaration.getSourceFile();
  return file.isInNodeModules() || file.isDeclarationFile() ? undefined : declaration;
}

/**
 * Whether every value of a type is a plain value (a string, number, boolean, enum, null or undefined): a copy of
 * it shares nothing, unlike a live object or a collection.
 */
export function isPlainValueType(type: Type): boolean {
  const parts = type.isUnion() ? type.getUnionTypes() : [type];
  return parts.every((part) => part.isString() || part.isNumber() || part.isBoolean() || part.isLiteral() || part.isBooleanLiteral() || part.isNull() || part.isUndefined() || part.isEnum() || part.isEnumLiteral());
}

/**
 * Whether every value of a type is plain data: plain values, and objects and arrays made only of plain data
 * (`{ host: string; port?: number } | null`, a configuration). Unlike a live object (a connection, a class with
 * methods), such a value means the same wherever it is read; a reference to it is shared, so it is a copy only
 * while nobody changes it in place.
 */
export function isPlainDataType(type: Type, depth = 0): boolean {
  if (depth > 4) return false;
  const parts = type.isUnion() ? type.getUnionTypes() : [type];
  return parts.every((part) => {
    if (isPlainValueType(part)) return true;
    if (part.isArray()) return isPlainDataType(part.getArrayElementTypeOrThrow(), depth + 1);
    if (!part.isObject() || part.isClass() || part.getCallSignatures().length > 0 || part.getConstructSignatures().length > 0) return false;
    // A project interface or type literal: each property's declared type must be plain data as well.
    const declaration = part.getSymbol()?.getDeclarations()[0];
    if (!declaration || declaration.getSourceFile().isInNodeModules() || declaration.getSourceFile().isDeclarationFile()) return false;
    return part.getProperties().every((property) => {
      const declared = property.getDeclarations()[0];
      return declared !== undefined && isPlainDataType(property.getTypeAtLocation(declared), depth + 1);
    });
  });
}
