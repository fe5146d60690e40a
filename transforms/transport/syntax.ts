import { Node, SyntaxKind, ts, type Identifier, type SourceFile } from 'ts-morph';

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
  const node = id.compilerNode;
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

/** Every identifier inside `node` (itself included) that is a reference. */
export function referencesIn(node: Node): Identifier[] {
  const out: Identifier[] = [];
  if (Node.isIdentifier(node) && isReference(node)) out.push(node);
  for (const id of node.getDescendantsOfKind(SyntaxKind.Identifier)) if (isReference(id)) out.push(id);
  return out;
}

/** Names a binding name (identifier or destructuring pattern) introduces, with their declaring nodes. */
function bindingNames(name: Node | undefined, owner: Node, out: Array<[string, Node]>): void {
  if (!name) return;
  if (Node.isIdentifier(name)) {
    out.push([name.getText(), owner]);
    return;
  }
  if (Node.isObjectBindingPattern(name) || Node.isArrayBindingPattern(name)) {
    for (const element of name.getElements()) {
      if (Node.isBindingElement(element)) bindingNames(element.getNameNode(), element, out);
    }
  }
}

/** What one statement declares in the scope it sits in: `[name, declaring node]`. */
export function declarationsOf(statement: Node): Array<[string, Node]> {
  const out: Array<[string, Node]> = [];
  if (Node.isVariableStatement(statement)) {
    for (const declaration of statement.getDeclarations()) bindingNames(declaration.getNameNode(), declaration, out);
  } else if (
    Node.isFunctionDeclaration(statement) ||
    Node.isClassDeclaration(statement) ||
    Node.isEnumDeclaration(statement) ||
    Node.isInterfaceDeclaration(statement) ||
    Node.isTypeAliasDeclaration(statement)
  ) {
    const name = statement.getNameNode();
    if (name) out.push([name.getText(), statement]);
  } else if (Node.isImportDeclaration(statement)) {
    const clause = statement.getImportClause();
    const defaultImport = clause?.getDefaultImport();
    if (defaultImport && clause) out.push([defaultImport.getText(), clause]);
    const namespace = statement.getNamespaceImport();
    if (namespace) out.push([namespace.getText(), namespace.getParentOrThrow()]);
    for (const specifier of statement.getNamedImports()) out.push([specifier.getAliasNode()?.getText() ?? specifier.getName(), specifier]);
  }
  return out;
}

function declaredIn(scope: Node, name: string): Node | undefined {
  const found: Array<[string, Node]> = [];
  if (isFunctionLike(scope)) {
    for (const parameter of scope.getParameters()) {
      if (Node.isParameterDeclaration(parameter)) bindingNames(parameter.getNameNode(), parameter, found);
    }
    if (Node.isFunctionExpression(scope)) {
      const own = scope.getNameNode();
      if (own) found.push([own.getText(), scope]);
    }
  } else if (Node.isBlock(scope) || Node.isSourceFile(scope) || Node.isModuleBlock(scope) || Node.isCaseClause(scope) || Node.isDefaultClause(scope)) {
    for (const statement of scope.getStatements()) found.push(...declarationsOf(statement));
  } else if (Node.isForStatement(scope) || Node.isForOfStatement(scope) || Node.isForInStatement(scope)) {
    const initializer = scope.getInitializer();
    if (initializer && Node.isVariableDeclarationList(initializer)) {
      for (const declaration of initializer.getDeclarations()) bindingNames(declaration.getNameNode(), declaration, found);
    }
  } else if (Node.isCatchClause(scope)) {
    const variable = scope.getVariableDeclaration();
    if (variable) bindingNames(variable.getNameNode(), variable, found);
  } else if (Node.isClassExpression(scope)) {
    const own = scope.getNameNode();
    if (own) found.push([own.getText(), scope]);
  }
  return found.find(([n]) => n === name)?.[1];
}

/**
 * Resolve an identifier to its declaration by walking lexical scopes outwards. Enough for the shapes we
 * rewrite (no `with`, no `var` hoisting out of nested blocks); `undefined` means a global or an unknown name.
 */
export function declarationOf(id: Identifier): Node | undefined {
  const name = id.getText();
  for (let scope: Node | undefined = id.getParent(); scope; scope = scope.getParent()) {
    const found = declaredIn(scope, name);
    if (found) return found;
  }
  return undefined;
}

/** Memoised `declarationOf`, keyed by compiler node (wrappers stay stable while the tree is not edited). */
export class Resolver {
  private readonly cache = new Map<ts.Node, Node | undefined>();
  of(id: Identifier): Node | undefined {
    const key = id.compilerNode;
    if (!this.cache.has(key)) this.cache.set(key, declarationOf(id));
    return this.cache.get(key);
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
  const used = new Set(file.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText()));
  for (const name of preferred) if (!used.has(name) && !taken.has(name)) return name;
  const base = preferred[0] ?? 'value';
  for (let i = 2; ; i++) if (!used.has(`${base}${i}`) && !taken.has(`${base}${i}`)) return `${base}${i}`;
}

/** Calls that only compute a value. */
const PURE_CALLS = ['Date.now', 'Number', 'String', 'Boolean', 'Symbol'];

/** Whether evaluating an expression can have no effect beyond producing its value (so dropping it is safe). */
export function isPure(node: Node | undefined): boolean {
  if (!node) return true;
  if (
    Node.isLiteralExpression(node) ||
    Node.isNoSubstitutionTemplateLiteral(node) ||
    Node.isTrueLiteral(node) ||
    Node.isFalseLiteral(node) ||
    Node.isNullLiteral(node) ||
    Node.isIdentifier(node) ||
    Node.isArrowFunction(node) ||
    Node.isFunctionExpression(node) ||
    Node.isClassExpression(node)
  ) {
    return true;
  }
  if (Node.isParenthesizedExpression(node) || Node.isAsExpression(node) || Node.isNonNullExpression(node) || Node.isSatisfiesExpression(node)) return isPure(node.getExpression());
  if (Node.isPropertyAccessExpression(node)) return isPure(node.getExpression());
  if (Node.isTemplateExpression(node)) return node.getTemplateSpans().every((span) => isPure(span.getExpression()));
  if (Node.isArrayLiteralExpression(node)) return node.getElements().every(isPure);
  if (Node.isObjectLiteralExpression(node)) return node.getProperties().every((p) => (Node.isPropertyAssignment(p) ? isPure(p.getInitializer()) : Node.isShorthandPropertyAssignment(p)));
  if (Node.isNewExpression(node)) return (node.getArguments() ?? []).every(isPure);
  if (Node.isCallExpression(node)) {
    const callee = node.getExpression().getText();
    return (PURE_CALLS.includes(callee) || callee.startsWith('Math.')) && node.getArguments().every(isPure);
  }
  if (Node.isPrefixUnaryExpression(node)) return isPure(node.getOperand());
  if (Node.isBinaryExpression(node)) {
    const kind = node.getOperatorToken().getKind();
    return !(kind >= SyntaxKind.FirstAssignment && kind <= SyntaxKind.LastAssignment) && isPure(node.getLeft()) && isPure(node.getRight());
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
