import { ts, type Node, type SourceFile } from 'ts-morph';
import { descendantsOfKind, fileIndex, identifierText } from './file-index.js';
import { declarationNodeOf } from './declarations.js';

/**
 * Whether a declaration is visible to other modules, read from the syntax alone. ts-morph's `isExported()`
 * asks the binder, which builds a program and a type checker for the whole project (and again after every
 * edit); this answers the same for what the binder counts:
 * - an `export` modifier;
 * - a top-level function, class, interface, type alias, enum or namespace named by `export { name }`
 *   (no `from`), `export default name` or `export = name`;
 * - in CommonJS JavaScript (no ESM syntax), one that `module.exports = name`, `module.exports = { name }`
 *   (shorthand members only), `module.exports.x = name` or `exports.x = name` refers to.
 * A variable statement is never exported without its modifier (the binder gives statements no symbol).
 */
export function isExported(node: Node): boolean {
  return isExportedNode(node.getSourceFile(), node.compilerNode);
}

/** `isExported` on a compiler node of `file`. */
export function isExportedNode(file: SourceFile, declaration: ts.Node): boolean {
  if (ts.canHaveModifiers(declaration) && ts.getModifiers(declaration)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
  if (ts.isVariableStatement(declaration)) return false;
  const name = (declaration as ts.Node & { name?: ts.Node }).name;
  if (!name || !ts.isIdentifier(name)) return false;
  const source = file.compilerNode;
  const text = identifierText(source, name);
  if (declaration.parent === source && namedByModuleExport(source, text)) return true;
  return isCommonJs(source) && namedByCommonJsExport(file, declaration);
}

function namedByModuleExport(source: ts.SourceFile, name: string): boolean {
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement) && !statement.moduleSpecifier && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      if (statement.exportClause.elements.some((element) => identifierText(source, (element.propertyName ?? element.name) as ts.Identifier) === name)) return true;
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && identifierText(source, statement.expression) === name) {
      return true;
    }
  }
  return false;
}

function isCommonJs(source: ts.SourceFile): boolean {
  const indicator = (source as { externalModuleIndicator?: unknown }).externalModuleIndicator;
  return (source.flags & ts.NodeFlags.JavaScriptFile) !== 0 && (indicator === undefined || indicator === true);
}

function isModuleExports(node: ts.Node): boolean {
  return ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'module' && node.name.text === 'exports';
}

/** `module.exports = a = b` → `b`. */
function rightMost(node: ts.Expression): ts.Expression {
  let current = node;
  while (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.EqualsToken) current = current.right;
  return current;
}

function namedByCommonJsExport(file: SourceFile, declaration: ts.Node): boolean {
  const index = fileIndex(file);
  const refersTo = (expression: ts.Node) => ts.isIdentifier(expression) && declarationNodeOf(file, expression) === declaration;
  for (const node of descendantsOfKind(index, index.source, ts.SyntaxKind.BinaryExpression)) {
    const assignment = node as ts.BinaryExpression;
    if (assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const { left } = assignment;
    const value = rightMost(assignment.right);
    if (isModuleExports(left)) {
      if (refersTo(value)) return true;
      if (ts.isObjectLiteralExpression(value) && value.properties.length > 0 && value.properties.every(ts.isShorthandPropertyAssignment)) {
        if (value.properties.some((property) => refersTo((property as ts.ShorthandPropertyAssignment).name))) return true;
      }
    } else if (ts.isPropertyAccessExpression(left) && (isModuleExports(left.expression) || (ts.isIdentifier(left.expression) && left.expression.text === 'exports'))) {
      if (refersTo(value)) return true;
    }
  }
  return false;
}
