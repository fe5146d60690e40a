import { Node, ts, type Identifier, type ObjectLiteralExpression, type SourceFile, type VariableDeclaration } from 'ts-morph';
import { fileIndex, identifiersIn, identifierText, indexCache, wrap, type FileIndex } from './file-index.js';

/**
 * Lexical declarations for the transforms, read from the syntax alone. ts-morph's `getSymbol()` asks the
 * binder, which builds a program and a type checker for the whole project, and again after every edit.
 */

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
  const resolved = indexCache<ts.Node, ts.Node | undefined>(file, 'declarations:resolved');
  if (resolved.has(id)) return resolved.get(id);
  const scopes = indexCache<ts.Node, Map<string, ts.Node> | undefined>(file, 'declarations:scopes');
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
  // `@param sessionId` names a parameter in a comment; it refers to nothing the code could lose.
  if (ts.isJSDocParameterTag(parent) && parent.name === node) return false;
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
  const cache = indexCache<'index', FileIndex>(file, 'declarations:references');
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

/** Same-file references to what `declaration` declares (the declaring name itself excluded). */
export function referencesTo(declaration: Node): Identifier[] {
  const file = declaration.getSourceFile();
  const target = declaration.compilerNode;
  return referenceNodesIn(file)
    .filter((id) => id !== (target as ts.Node & { name?: ts.Node }).name && declarationNodeOf(file, id) === target)
    .map((id) => wrap<Identifier>(file, id));
}

/**
 * The string a `const` holds when `node` names one (`MCP_ENDPOINT_PATH`, `SCHEMA_OVERVIEW_URI`): a path or URI
 * written once. `declarationOf` finds the declaration, lexically or through the checker as the caller can afford.
 */
export function constantString(node: Node | undefined, declarationOf: (identifier: Identifier) => Node | undefined): string | undefined {
  const value = constDeclaration(node, declarationOf)?.getInitializer();
  return value && (Node.isStringLiteral(value) || Node.isNoSubstitutionTemplateLiteral(value)) ? value.getLiteralValue() : undefined;
}

/** The `const` declaration `node` names, found by `declarationOf`. */
function constDeclaration(node: Node | undefined, declarationOf: (identifier: Identifier) => Node | undefined): VariableDeclaration | undefined {
  if (!node || !Node.isIdentifier(node)) return undefined;
  const declaration = declarationOf(node);
  return declaration && Node.isVariableDeclaration(declaration) && declaration.getVariableStatement()?.getDeclarationKind() === 'const' ? declaration : undefined;
}

/**
 * The object literal a module's own `const` holds when `node` names one that nothing else uses
 * (`const config = { title, inputSchema, … }` handed to one `registerTool`): editing it edits that one use.
 */
export function soleConstantObject(node: Node | undefined): ObjectLiteralExpression | undefined {
  const held = constantObjectDeclaration(node);
  if (!held || held.declaration.getVariableStatement()?.isExported()) return undefined;
  return referencesTo(held.declaration).length === 1 ? held.literal : undefined;
}

/** The object literal a `const` of the module holds (`as const` or not), when `node` names one. */
export function constantObject(node: Node | undefined): ObjectLiteralExpression | undefined {
  return constantObjectDeclaration(node)?.literal;
}

function constantObjectDeclaration(node: Node | undefined): { declaration: VariableDeclaration; literal: ObjectLiteralExpression } | undefined {
  const declaration = constDeclaration(node, declarationOf);
  if (!declaration) return undefined;
  const value = declaration.getInitializer();
  const literal = value && Node.isAsExpression(value) ? value.getExpression() : value;
  return literal && Node.isObjectLiteralExpression(literal) ? { declaration, literal } : undefined;
}
