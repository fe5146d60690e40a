/**
 * Lexical name resolution without a type checker: an identifier is resolved by walking its enclosing scopes,
 * and imports are followed through relative module specifiers (and the project's path aliases) to the exporting file
 * (ESM and CommonJS).
 * All caches live on the `Resolver` instance, one per analysis run.
 */
import { Node, SyntaxKind, ts, type Identifier, type SourceFile } from 'ts-morph';
import { pathAliasesOf, resolveModule, type PathAlias } from '../engine/module-paths.js';
import { relativeOf } from '../engine/parse.js';
import { literalText, unwrap, wrapNode } from './syntax.js';

/** What a name resolves to. */
export type Binding =
  /** A declaration: VariableDeclaration, BindingElement, Parameter, FunctionDeclaration, ClassDeclaration, EnumDeclaration. */
  | { kind: 'declaration'; node: Node; name: string; file: string }
  /** A whole module (`import * as m`, `const m = require('./m')`). */
  | { kind: 'module'; file: string }
  /** An expression a module exports (`module.exports.x = expr`, `export default expr`). */
  | { kind: 'expression'; node: Node; file: string }
  /** A symbol imported from a package (not followed). */
  | { kind: 'external'; module: string; name: string };

type ScopeTable = Map<string, Node>;

export class Resolver {
  private readonly files: Map<string, SourceFile>;
  private readonly known: Set<string>;
  private readonly scopes = new Map<ts.Node, ScopeTable>();
  private readonly identifierIndex = new Map<string, Map<string, ts.Identifier[]>>();

  /** The project's path aliases (`@/services/x`), which name its modules like relative specifiers do. */
  private readonly aliases: readonly PathAlias[];

  constructor(files: readonly SourceFile[]) {
    this.files = new Map(files.map((file) => [relativeOf(file), file]));
    this.known = new Set(this.files.keys());
    const [first] = files;
    this.aliases = first ? pathAliasesOf(first.getProject()) : [];
  }

  fileAt(relPath: string): SourceFile | undefined {
    return this.files.get(relPath);
  }

  /** Resolve an identifier in expression position to its binding, following imports. */
  resolve(identifier: Identifier): Binding | undefined {
    const name = identifier.getText();
    for (let scope: Node | undefined = identifier.getParent(); scope; scope = scope.getParent()) {
      const found = this.table(scope).get(name);
      if (found) return this.follow(found, name, 0);
    }
    return undefined;
  }

  /** Resolve `module.name` when `module` is a namespace import: the exported binding. */
  resolveMember(moduleFile: string, name: string): Binding | undefined {
    return this.exported(moduleFile, name, 0);
  }

  /**
   * Every identifier named `name` in a file (compiler nodes are indexed once; wrappers made on demand), or only
   * those ending inside `within` (`[start, end]` offsets): wrapping is the costly part, so callers that look
   * in one function say so, which keeps large files linear.
   */
  identifiersNamed(file: SourceFile, name: string, within?: readonly [number, number]): Identifier[] {
    const all = this.index(file).get(name) ?? [];
    return (within ? all.filter((id) => id.end > within[0] && id.end <= within[1]) : all)
      .map((id) => wrapNode<Identifier>(file, id))
      .filter((node): node is Identifier => node !== undefined);
  }

  /**
   * The identifiers inside `scope` that resolve to `declaration` (a local or a parameter), its own name left out.
   * Found by name and position first, then resolved, so a name repeated across a large file stays cheap.
   */
  usesOf(declaration: Node & { getNameNode(): Node }, scope: Node): Identifier[] {
    const name = declaration.getNameNode();
    if (!Node.isIdentifier(name)) return [];
    return this.identifiersNamed(scope.getSourceFile(), name.getText(), [scope.getStart(), scope.getEnd()]).filter((id) => {
      if (id === name) return false;
      const binding = this.resolve(id);
      return binding?.kind === 'declaration' && binding.node === declaration;
    });
  }

  /** Whether a file mentions a name at all (cheap check before resolving). */
  mentions(file: SourceFile, name: string): boolean {
    return this.index(file).has(name);
  }

  private index(file: SourceFile): Map<string, ts.Identifier[]> {
    const path = relativeOf(file);
    const cached = this.identifierIndex.get(path);
    if (cached) return cached;
    const index = new Map<string, ts.Identifier[]>();
    const visit = (node: ts.Node) => {
      if (node.kind === SyntaxKind.Identifier) {
        const id = node as ts.Identifier;
        const list = index.get(id.text);
        if (list) list.push(id);
        else index.set(id.text, [id]);
      }
      ts.forEachChild(node, visit);
    };
    visit(file.compilerNode);
    this.identifierIndex.set(path, index);
    return index;
  }

  /** Declared names of one scope node, computed once. */
  private table(scope: Node): ScopeTable {
    const cached = this.scopes.get(scope.compilerNode);
    if (cached) return cached;
    const table: ScopeTable = new Map();
    const add = (nameNode: Node | undefined, declaration: Node) => {
      if (!nameNode) return;
      if (Node.isIdentifier(nameNode)) {
        if (!table.has(nameNode.getText())) table.set(nameNode.getText(), declaration);
      } else if (Node.isObjectBindingPattern(nameNode) || Node.isArrayBindingPattern(nameNode)) {
        for (const element of nameNode.getElements()) {
          if (Node.isBindingElement(element)) add(element.getNameNode(), element);
        }
      }
    };
    const addStatements = (statements: readonly Node[]) => {
      for (const statement of statements) {
        if (Node.isVariableStatement(statement)) {
          for (const declaration of statement.getDeclarations()) add(declaration.getNameNode(), declaration);
        } else if (Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isEnumDeclaration(statement)) {
          add(statement.getNameNode(), statement);
        } else if (Node.isImportDeclaration(statement)) {
          const clause = statement.getImportClause();
          if (!clause) continue;
          add(clause.getDefaultImport(), clause);
          const bindings = clause.getNamedBindings();
          if (bindings && Node.isNamespaceImport(bindings)) add(bindings.getNameNode(), bindings);
          else if (bindings) for (const specifier of bindings.getElements()) add(specifier.getAliasNode() ?? specifier.getNameNode(), specifier);
        } else if (Node.isImportEqualsDeclaration(statement)) {
          add(statement.getNameNode(), statement);
        }
      }
    };
    if (Node.isSourceFile(scope) || Node.isBlock(scope) || Node.isModuleBlock(scope) || Node.isCaseClause(scope) || Node.isDefaultClause(scope)) {
      addStatements(scope.getStatements());
    } else if (Node.isFunctionDeclaration(scope) || Node.isFunctionExpression(scope) || Node.isArrowFunction(scope) || Node.isMethodDeclaration(scope) || Node.isConstructorDeclaration(scope) || Node.isGetAccessorDeclaration(scope) || Node.isSetAccessorDeclaration(scope)) {
      for (const parameter of scope.getParameters()) add(parameter.getNameNode(), parameter);
      if (Node.isFunctionExpression(scope)) add(scope.getNameNode(), scope);
    } else if (Node.isForStatement(scope) || Node.isForOfStatement(scope) || Node.isForInStatement(scope)) {
      const initializer = scope.getInitializer();
      if (initializer && Node.isVariableDeclarationList(initializer)) for (const d of initializer.getDeclarations()) add(d.getNameNode(), d);
    } else if (Node.isCatchClause(scope)) {
      const declaration = scope.getVariableDeclaration();
      if (declaration) add(declaration.getNameNode(), declaration);
    } else if (Node.isClassExpression(scope)) {
      add(scope.getNameNode(), scope);
    }
    this.scopes.set(scope.compilerNode, table);
    return table;
  }

  /** Turn a local declaration into a binding, following imports and `require()` to the exporting module. */
  private follow(declaration: Node, name: string, depth: number): Binding | undefined {
    const file = relativeOf(declaration.getSourceFile());
    if (depth > 8) return undefined;
    if (Node.isImportSpecifier(declaration) || Node.isImportClause(declaration) || Node.isNamespaceImport(declaration)) {
      const importDeclaration = declaration.getFirstAncestorByKind(SyntaxKind.ImportDeclaration);
      const specifier = importDeclaration?.getModuleSpecifierValue() ?? '';
      const imported = Node.isImportSpecifier(declaration) ? declaration.getName() : Node.isImportClause(declaration) ? 'default' : '*';
      const target = resolveModule(file, specifier, this.known, this.aliases);
      if (!target) return { kind: 'external', module: specifier, name: imported };
      if (imported === '*') return { kind: 'module', file: target };
      return this.exported(target, imported, depth + 1) ?? { kind: 'external', module: specifier, name: imported };
    }
    if (Node.isVariableDeclaration(declaration) || Node.isBindingElement(declaration)) {
      const required = this.requireOf(declaration);
      if (required) {
        const target = resolveModule(file, required.specifier, this.known, this.aliases);
        if (!target) return { kind: 'external', module: required.specifier, name: required.property ?? '*' };
        if (!required.property) return { kind: 'module', file: target };
        return this.exported(target, required.property, depth + 1) ?? { kind: 'external', module: required.specifier, name: required.property };
      }
    }
    return { kind: 'declaration', node: declaration, name, file };
  }

  /**
   * `const x = require('m')` → { specifier: 'm' }; `const { a: x } = require('m')` (or `= await import('m')`) →
   * { specifier, property: 'a' }.
   */
  private requireOf(declaration: Node): { specifier: string; property?: string } | undefined {
    if (Node.isVariableDeclaration(declaration)) {
      const specifier = requireSpecifier(declaration.getInitializer());
      return specifier !== undefined && Node.isIdentifier(declaration.getNameNode()) ? { specifier } : undefined;
    }
    if (Node.isBindingElement(declaration)) {
      const variable = declaration.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
      const specifier = requireSpecifier(variable?.getInitializer());
      if (specifier === undefined || declaration.getParent() !== variable?.getNameNode()) return undefined;
      const property = declaration.getPropertyNameNode()?.getText() ?? declaration.getName();
      return { specifier, property };
    }
    return undefined;
  }

  /** The binding a module exports under `name` (ESM `export`, re-exports, `export *`, CommonJS `module.exports`). */
  private exported(relPath: string, name: string, depth: number): Binding | undefined {
    const file = this.files.get(relPath);
    if (!file || depth > 8) return undefined;
    for (const statement of file.getStatements()) {
      if (Node.isVariableStatement(statement) && statement.hasExportKeyword()) {
        for (const declaration of statement.getDeclarations()) {
          const nameNode = declaration.getNameNode();
          if (Node.isIdentifier(nameNode) && nameNode.getText() === name) return { kind: 'declaration', node: declaration, name, file: relPath };
        }
      } else if ((Node.isFunctionDeclaration(statement) || Node.isClassDeclaration(statement) || Node.isEnumDeclaration(statement)) && statement.hasExportKeyword()) {
        const own = statement.getName();
        // Syntactic checks only: `isExported()`/`isDefaultExport()` would build a type checker.
        const isDefault = statement.hasDefaultKeyword();
        if ((own === name && !isDefault) || (name === 'default' && isDefault)) {
          return { kind: 'declaration', node: statement, name: own ?? 'default', file: relPath };
        }
      } else if (Node.isExportDeclaration(statement)) {
        const specifier = statement.getModuleSpecifierValue();
        const target = specifier === undefined ? undefined : resolveModule(relPath, specifier, this.known, this.aliases);
        if (statement.isNamespaceExport() && !statement.getNamespaceExport()) {
          if (target) {
            const found = this.exported(target, name, depth + 1);
            if (found) return found;
          }
          continue;
        }
        for (const element of statement.getNamedExports()) {
          const exportedName = element.getAliasNode()?.getText() ?? element.getName();
          if (exportedName !== name) continue;
          if (specifier !== undefined) return target ? this.exported(target, element.getName(), depth + 1) : { kind: 'external', module: specifier, name };
          return this.localBinding(file, element.getName(), depth);
        }
      } else if (Node.isExportAssignment(statement) && name === 'default' && !statement.isExportEquals()) {
        const expression = unwrap(statement.getExpression());
        if (Node.isIdentifier(expression)) return this.localBinding(file, expression.getText(), depth);
        return { kind: 'expression', node: expression, file: relPath };
      } else if (Node.isExpressionStatement(statement)) {
        const found = this.commonJsExport(file, statement.getExpression(), name, depth);
        if (found) return found;
      }
    }
    return undefined;
  }

  private localBinding(file: SourceFile, name: string, depth: number): Binding | undefined {
    const declaration = this.table(file).get(name);
    return declaration ? this.follow(declaration, name, depth + 1) : undefined;
  }

  /** `module.exports = { a, b: c }`, `module.exports.a = …`, `exports.a = …`. */
  private commonJsExport(file: SourceFile, expression: Node, name: string, depth: number): Binding | undefined {
    if (!Node.isBinaryExpression(expression) || expression.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) return undefined;
    const left = expression.getLeft().getText().replace(/\s/g, '');
    const right = unwrap(expression.getRight());
    const fromValue = (value: Node): Binding => {
      const inner = unwrap(value);
      if (Node.isIdentifier(inner)) return this.localBinding(file, inner.getText(), depth) ?? { kind: 'expression', node: inner, file: relativeOf(file) };
      return { kind: 'expression', node: inner, file: relativeOf(file) };
    };
    if (left === `module.exports.${name}` || left === `exports.${name}`) return fromValue(right);
    if (left === 'module.exports' && Node.isObjectLiteralExpression(right)) {
      for (const property of right.getProperties()) {
        if (Node.isShorthandPropertyAssignment(property) && property.getName() === name) return this.localBinding(file, name, depth);
        if (Node.isPropertyAssignment(property) && property.getName() === name) return fromValue(property.getInitializerOrThrow());
        if ((Node.isMethodDeclaration(property) || Node.isFunctionDeclaration(property)) && property.getName() === name) {
          return { kind: 'declaration', node: property, name, file: relativeOf(file) };
        }
      }
    }
    return undefined;
  }
}

/** `require('m')`, or `await import('m')` (a module a handler loads when first called). */
function requireSpecifier(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  let inner = unwrap(node);
  if (Node.isAwaitExpression(inner)) inner = unwrap(inner.getExpression());
  if (!Node.isCallExpression(inner)) return undefined;
  const callee = inner.getExpression();
  if (callee.getText() !== 'require' && callee.getKind() !== SyntaxKind.ImportKeyword) return undefined;
  return literalText(inner.getArguments()[0]);
}
