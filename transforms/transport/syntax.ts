import { Node, SyntaxKind, ts, type Identifier, type SourceFile } from 'ts-morph';
import { fileIndex, identifiersIn, identifierText, indexCache, wrap, type FileIndex } from './file-index.js';

/**
 * Small AST questions the transport transforms ask everywhere: is this identifier a use of a binding,
 * which declaration does it resolve to (lexically, without a type checker), what does a statement declare.
 */

export type FunctionLike = Node & { getParameters(): Node[]; getBody(): Node | undefined };

export function isFunctionLike(node: Node): node is FunctionLike {
  return (
    Node.isFunctionDeclaration(node) ||
    Node.isFunctionExpression(node) ||
    Node.isArrowFunction(node) ||
    Node.isMethodDeclaration(node) ||
    Node.isConstructorDeclaration(node) ||
    Node.isGetAccessorDeclaration(node) ||
    Node.isSetAccessorDeclaration(node)
  );
}

/** The function a node sits in (not counting the node itself). */
export function enclosingFunction(node: Node): FunctionLike | undefined {
  return node.getFirstAncestor((a) => isFunctionLike(a)) as FunctionLike | undefined;
}

/** Whether an identifier names a binding being used (read, written, called, typed) rather than declared or a property name. */
export function isReference(id: Identifier): boolean {
  return isReferenceNode(id.compilerNode);
}

function isReferenceNode(node: ts.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return false;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if (ts.isQualifiedName(parent) && parent.right === node) return false;
  if (ts.isBindingElement(parent)) return false;
  if (ts.isImportSpecifier(parent) || ts.isImportClause(parent) || ts.isNamespaceImport(parent)) return false;
  if (ts.isExportSpecifier(parent)) return parent.propertyName ? parent.propertyName === node : parent.name === node;
  if (ts.isLabeledStatement(parent) || ts.isBreakOrContinueStatement(parent)) return false;
  if (ts.isJsxAttribute(parent)) return false;
  const named = parent as ts.Node & { name?: ts.Node };
  if (named.name === node) {
    return !(
      ts.isVariableDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isFunctionDeclaration(parent) ||
      ts.isFunctionExpression(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isClassExpression(parent) ||
      ts.isInterfaceDeclaration(parent) ||
      ts.isTypeAliasDeclaration(parent) ||
      ts.isEnumDeclaration(parent) ||
      ts.isEnumMember(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isPropertySignature(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isMethodSignature(parent) ||
      ts.isGetAccessorDeclaration(parent) ||
      ts.isSetAccessorDeclaration(parent) ||
      ts.isTypeParameterDeclaration(parent) ||
      ts.isModuleDeclaration(parent)
    );
  }
  return true;
}

/** The file's reference identifiers, in document order (computed once per text). */
function fileReferences(file: SourceFile): FileIndex {
  const cache = indexCache<'index', FileIndex>(file, 'transport:references');
  let references = cache.get('index');
  if (!references) {
    const index = fileIndex(file);
    references = { ...index, identifiers: index.identifiers.filter(isReferenceNode) };
    cache.set('index', references);
  }
  return references;
}

/** Compiler identifiers inside `node` of `file` (itself included) that are references, without wrapping them. */
export function referenceNodesIn(file: SourceFile, node: ts.Node = file.compilerNode): ts.Identifier[] {
  return identifiersIn(fileReferences(file), node);
}

/** Every identifier inside `node` (itself included) that is a reference. */
export function referencesIn(node: Node): Identifier[] {
  const file = node.getSourceFile();
  return referenceNodesIn(file, node.compilerNode).map((id) => wrap<Identifier>(file, id));
}

/** Names a binding name (identifier or destructuring pattern) introduces, with their declaring nodes. */
function bindingNames(source: ts.SourceFile, name: ts.Node | undefined, owner: ts.Node, out: Array<[string, ts.Node]>): void {
  if (!name) return;
  if (ts.isIdentifier(name)) {
    out.push([identifierText(source, name), owner]);
    return;
  }
  if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) {
    for (const element of name.elements) {
      if (ts.isBindingElement(element)) bindingNames(source, element.name, element, out);
    }
  }
}

/** What one statement declares in the scope it sits in: `[name, declaring node]`. */
function declarationNodesOf(source: ts.SourceFile, statement: ts.Node, out: Array<[string, ts.Node]>): void {
  if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) bindingNames(source, declaration.name, declaration, out);
  } else if (
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement)
  ) {
    const name = statement.name;
    if (name) out.push([identifierText(source, name), statement]);
  } else if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.name) out.push([identifierText(source, clause.name), clause]);
    const bindings = clause?.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) out.push([identifierText(source, bindings.name), bindings]);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const specifier of bindings.elements) out.push([identifierText(source, specifier.name), specifier]);
    }
  }
}

const FUNCTION_SCOPES = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
]);

/** Every name a scope node declares, first declaration first; undefined for nodes that declare nothing. */
function scopeNames(source: ts.SourceFile, scope: ts.Node): Array<[string, ts.Node]> | undefined {
  const found: Array<[string, ts.Node]> = [];
  if (FUNCTION_SCOPES.has(scope.kind)) {
    const fn = scope as ts.SignatureDeclarationBase;
    for (const parameter of fn.parameters) bindingNames(source, parameter.name, parameter, found);
    if (ts.isFunctionExpression(scope) && scope.name) found.push([identifierText(source, scope.name), scope]);
  } else if (ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isCaseClause(scope) || ts.isDefaultClause(scope)) {
    for (const statement of scope.statements) declarationNodesOf(source, statement, found);
  } else if (ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) {
    const initializer = scope.initializer;
    if (initializer && ts.isVariableDeclarationList(initializer)) {
      for (const declaration of initializer.declarations) bindingNames(source, declaration.name, declaration, found);
    }
  } else if (ts.isCatchClause(scope)) {
    const variable = scope.variableDeclaration;
    if (variable) bindingNames(source, variable.name, variable, found);
  } else if (ts.isClassExpression(scope)) {
    if (scope.name) found.push([identifierText(source, scope.name), scope]);
  } else return undefined;
  return found;
}

/**
 * Resolve an identifier to its declaration by walking lexical scopes outwards. Enough for the shapes we
 * rewrite (no `with`, no `var` hoisting out of nested blocks); `undefined` means a global or an unknown name.
 * Each scope's names are listed once per file text and each identifier resolved once.
 */
export function declarationNodeOf(file: SourceFile, id: ts.Identifier): ts.Node | undefined {
  const resolved = indexCache<ts.Node, ts.Node | undefined>(file, 'transport:resolved');
  if (resolved.has(id)) return resolved.get(id);
  const scopes = indexCache<ts.Node, Map<string, ts.Node> | undefined>(file, 'transport:scopes');
  const source = file.compilerNode;
  const name = identifierText(source, id);
  let found: ts.Node | undefined;
  for (let scope: ts.Node | undefined = id.parent; scope && !found; scope = scope.parent) {
    let names = scopes.get(scope);
    if (names === undefined && !scopes.has(scope)) {
      const list = scopeNames(source, scope);
      if (list) {
        names = new Map();
        for (const [n, node] of list) if (!names.has(n)) names.set(n, node);
      }
      scopes.set(scope, names);
    }
    found = names?.get(name);
  }
  resolved.set(id, found);
  return found;
}

export function declarationOf(id: Identifier): Node | undefined {
  const file = id.getSourceFile();
  const found = declarationNodeOf(file, id.compilerNode);
  return found && wrap(file, found);
}

/** `declarationOf`, kept for the callers that hold one per analysis; results are cached per file text. */
export class Resolver {
  of(id: Identifier): Node | undefined {
    return declarationOf(id);
  }
}

/** The statement directly inside a block, case clause or source file that holds `node`. */
export function statementOf(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.getParent();
    if (!parent || Node.isSourceFile(parent) || Node.isBlock(parent) || Node.isModuleBlock(parent) || Node.isCaseClause(parent) || Node.isDefaultClause(parent)) {
      return current;
    }
    current = parent;
  }
}

/** A string literal's value (plain quotes or a template without substitutions). */
export function stringValue(node: Node | undefined): string | undefined {
  if (node && (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node))) return node.getLiteralValue();
  return undefined;
}

/** Whether `inner` lies within `outer` (or is it). */
export function within(inner: Node, outer: Node): boolean {
  return inner.getStart() >= outer.getStart() && inner.getEnd() <= outer.getEnd() && inner.getSourceFile() === outer.getSourceFile();
}

/** Every identifier text used anywhere in a file, to pick names that cannot collide. */
export function freshName(file: SourceFile, preferred: readonly string[], taken: ReadonlySet<string> = new Set()): string {
  const source = file.compilerNode;
  const used = new Set(fileIndex(file).identifiers.map((id) => identifierText(source, id)));
  for (const name of preferred) if (!used.has(name) && !taken.has(name)) return name;
  const base = preferred[0] ?? 'value';
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`) && !taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** Calls that only compute a value. */
const PURE_CALLS = ['Date.now', 'Number', 'String', 'Boolean', 'Symbol'];

/** Whether evaluating an expression can have no effect beyond producing its value (so dropping it is safe). */
export function isPure(node: Node | undefined): boolean {
  return node === undefined || isPureNode(node.getSourceFile().compilerNode, node.compilerNode);
}

const PURE_KINDS = new Set([
  ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.NumericLiteral,
  ts.SyntaxKind.RegularExpressionLiteral,
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.TrueKeyword,
  ts.SyntaxKind.FalseKeyword,
  ts.SyntaxKind.NullKeyword,
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.ArrowFunction,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ClassExpression,
]);

/** `isPure` on compiler nodes. */
export function isPureNode(source: ts.SourceFile, node: ts.Node | undefined): boolean {
  if (!node) return true;
  const pure = (child: ts.Node | undefined) => isPureNode(source, child);
  if (PURE_KINDS.has(node.kind)) return true;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) return pure(node.expression);
  if (ts.isPropertyAccessExpression(node)) return pure(node.expression);
  if (ts.isTemplateExpression(node)) return node.templateSpans.every((span) => pure(span.expression));
  if (ts.isArrayLiteralExpression(node)) return node.elements.every(pure);
  if (ts.isObjectLiteralExpression(node)) return node.properties.every((p) => (ts.isPropertyAssignment(p) ? pure(p.initializer) : ts.isShorthandPropertyAssignment(p)));
  if (ts.isNewExpression(node)) return (node.arguments ?? []).every(pure);
  if (ts.isCallExpression(node)) {
    const callee = node.expression.getText(source);
    return (PURE_CALLS.includes(callee) || callee.startsWith('Math.')) && node.arguments.every(pure);
  }
  if (ts.isPrefixUnaryExpression(node)) return pure(node.operand);
  if (ts.isBinaryExpression(node)) {
    const kind = node.operatorToken.kind;
    return !(kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment) && pure(node.left) && pure(node.right);
  }
  return false;
}

/**
 * Where a marker for `node` goes: the start of the innermost statement around it that begins its own
 * line, so the marker comment never lands after code on the same line (where a later run would not
 * recognise it as the statement's marker).
 */
export function markerPosition(node: Node): number {
  const text = node.getSourceFile().getFullText();
  let current: Node = statementOf(node);
  for (;;) {
    const start = current.getStart();
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    const parent = current.getParent();
    if (/^[ \t]*$/.test(text.slice(lineStart, start)) || !parent || Node.isSourceFile(parent)) return start;
    current = statementOf(parent);
  }
}
