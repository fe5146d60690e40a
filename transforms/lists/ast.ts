import {
  Node,
  SyntaxKind,
  type ArrowFunction,
  type CallExpression,
  type Expression,
  type FunctionDeclaration,
  type FunctionExpression,
  type MethodDeclaration,
  type SourceFile,
  type Statement,
} from 'ts-morph';
import { declarationOf as lexicalDeclarationOf, referencesTo as sameFileReferencesTo } from '../shared/declarations.js';
import { identifiersOf } from '../shared/file-index.js';

/** Functions whose body can run as a request handler. */
export type FunctionLike = ArrowFunction | FunctionExpression | FunctionDeclaration | MethodDeclaration;

export function isFunctionLike(node: Node): node is FunctionLike {
  return Node.isArrowFunction(node) || Node.isFunctionExpression(node) || Node.isFunctionDeclaration(node) || Node.isMethodDeclaration(node);
}

/** The value of a string literal or a template without substitutions. */
export function stringValue(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralValue();
  return undefined;
}

/** `receiver.method(...)` → its parts; undefined for any other callee shape. */
export function methodCall(call: CallExpression): { receiver: Expression; method: string } | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  return { receiver: callee.getExpression(), method: callee.getName() };
}

/** The declaration an identifier refers to, by lexical scope (no binder: it would build a program per edit). */
export function declarationOf(identifier: Node): Node | undefined {
  return Node.isIdentifier(identifier) ? lexicalDeclarationOf(identifier) : undefined;
}

export function contains(container: Node, node: Node): boolean {
  return node.getStart() >= container.getStart() && node.getEnd() <= container.getEnd() && node.getSourceFile() === container.getSourceFile();
}

/** The nearest function-like ancestor (not the node itself). */
export function enclosingFunction(node: Node): FunctionLike | undefined {
  return node.getParentWhile((parent) => !isFunctionLike(parent))?.getParent() as FunctionLike | undefined;
}

/** The statement that holds `node` directly in a block, case clause or the file. */
export function statementOf(node: Node): Statement | undefined {
  let current: Node | undefined = node;
  while (current) {
    const parent: Node | undefined = current.getParent();
    if (!parent) return undefined;
    if (Node.isBlock(parent) || Node.isSourceFile(parent) || Node.isCaseClause(parent) || Node.isDefaultClause(parent)) {
      return Node.isStatement(current) ? current : undefined;
    }
    current = parent;
  }
  return undefined;
}

/** The root identifier of `a`, `a.b.c`, `a[0].b`; undefined for anything else (calls, `this`). */
export function rootIdentifier(node: Node): Node | undefined {
  let current = node;
  while (Node.isPropertyAccessExpression(current) || Node.isElementAccessExpression(current) || Node.isNonNullExpression(current)) {
    current = current.getExpression();
  }
  return Node.isIdentifier(current) ? current : undefined;
}

/**
 * Identifiers in `node` that refer to something declared inside `scope` but outside `node`:
 * what would dangle if `node` were moved out of `scope`.
 */
export function capturedFrom(node: Node, scope: Node): Node[] {
  const captured: Node[] = [];
  for (const identifier of identifiersOf(node)) {
    const parent = identifier.getParent();
    // Property names and object keys are not references.
    if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === identifier) continue;
    if (Node.isPropertyAssignment(parent) && parent.getNameNode() === identifier) continue;
    const declaration = declarationOf(identifier);
    if (!declaration || declaration.getSourceFile() !== node.getSourceFile()) continue;
    if (contains(scope, declaration) && !contains(node, declaration)) captured.push(identifier);
  }
  return captured;
}

/** References to a declared variable in its file (the declaration name excluded). */
export function referencesTo(declaration: Node): Node[] {
  if (!Node.isVariableDeclaration(declaration)) return [];
  const nameNode = declaration.getNameNode();
  if (!Node.isIdentifier(nameNode)) return [];
  return sameFileReferencesTo(declaration);
}

/** Is `node` the target of an assignment (`x = …`, `x.y = …`, `x++`)? */
export function isWriteTarget(node: Node): boolean {
  let current = node;
  for (;;) {
    const parent = current.getParent();
    if (!parent) return false;
    if ((Node.isPropertyAccessExpression(parent) || Node.isElementAccessExpression(parent)) && parent.getExpression() === current) {
      current = parent;
      continue;
    }
    if (Node.isBinaryExpression(parent) && parent.getLeft() === current) {
      return parent.getOperatorToken().getKind() >= SyntaxKind.FirstAssignment && parent.getOperatorToken().getKind() <= SyntaxKind.LastAssignment;
    }
    return (Node.isPostfixUnaryExpression(parent) || Node.isPrefixUnaryExpression(parent)) && current === node;
  }
}

/** The import specifier a module-level binding came from, when it was imported. */
export function importedFrom(file: SourceFile, name: string): string | undefined {
  for (const declaration of file.getImportDeclarations()) {
    if (declaration.getNamedImports().some((s) => (s.getAliasNode()?.getText() ?? s.getName()) === name)) {
      return declaration.getModuleSpecifierValue();
    }
  }
  return undefined;
}

/** Quote a string for generated code, in the file's dominant quote style. */
export function quote(file: SourceFile, value: string): string {
  const single = (file.getFullText().match(/'/g) ?? []).length >= (file.getFullText().match(/"/g) ?? []).length;
  const q = single ? "'" : '"';
  return `${q}${value.replace(/\\/g, '\\\\').replace(new RegExp(q, 'g'), `\\${q}`)}${q}`;
}

/** Is the expression a literal that is falsy at runtime (`false`, `null`, `undefined`, `0`, `''`)? */
export function isFalsyLiteral(node: Node | undefined): boolean {
  if (!node) return true;
  const text = node.getText();
  return text === 'false' || text === 'null' || text === 'undefined' || text === '0' || stringValue(node) === '';
}
