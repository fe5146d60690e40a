import { Node, SyntaxKind, type ClassDeclaration, type Identifier, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { pathAliasesOf, resolveModule } from '../../src/engine/module-paths.js';
import { relativeOf } from '../../src/engine/parse.js';
import { isExported } from '../shared/exports.js';
import { nodesOfKind } from '../shared/file-index.js';
import type { PhaseInput } from './phase.js';
import { enclosingFunction, isFunctionLike, type FunctionLike, type Resolver } from './syntax.js';

/**
 * Following the code that builds a server across this project's modules, by syntax alone: a function or class
 * exported from an imported module of the project, the method a typed receiver calls (`app.createConnection(…)` with
 * `app: App`), the functions a factory calls. Only what resolves without a type checker is followed.
 */
export interface ProjectLookup {
  /** The module a specifier of `from` names (relative, or one of the project's path aliases), when it is part of the project. */
  module(from: SourceFile, specifier: string): SourceFile | undefined;
}

export function projectLookup(input: Pick<PhaseInput, 'project'>): ProjectLookup {
  return {
    module(from, specifier) {
      const known = new Set(input.project.getSourceFiles().map((f) => relativeOf(f)));
      const target = resolveModule(relativeOf(from), specifier, known, pathAliasesOf(input.project));
      return target ? input.project.getSourceFile(`/${target}`) : undefined;
    },
  };
}

/** The modules a file reaches through relative imports (itself included), transitively: what its server can run. */
export function reachableModules(file: SourceFile, lookup: ProjectLookup): SourceFile[] {
  const seen = new Set<SourceFile>([file]);
  const queue = [file];
  for (let current = queue.shift(); current; current = queue.shift()) {
    const specifiers = [...current.getImportDeclarations(), ...current.getExportDeclarations()].map((d) => d.getModuleSpecifierValue());
    for (const specifier of specifiers) {
      const target = specifier ? lookup.module(current, specifier) : undefined;
      if (target && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  return [...seen];
}

/** An exported function of a module (declared with `function` or as a `const` arrow). */
export function exportedFunctionOf(file: SourceFile, name: string): FunctionLike | undefined {
  const fn = file.getFunction(name);
  if (fn && isExported(fn)) return fn;
  const variable = file.getVariableDeclaration(name);
  const statement = variable?.getVariableStatement();
  const initializer = statement && isExported(statement) ? variable?.getInitializer() : undefined;
  return initializer && isFunctionLike(initializer) ? initializer : undefined;
}

/** The function an identifier names: declared in its file, or exported by a relatively imported module. */
export function functionNamed(id: Identifier, resolver: Resolver, lookup: ProjectLookup): FunctionLike | undefined {
  const declaration = resolver.of(id);
  if (!declaration) return undefined;
  if (Node.isFunctionDeclaration(declaration)) return declaration;
  if (Node.isVariableDeclaration(declaration)) {
    const initializer = declaration.getInitializer();
    return initializer && isFunctionLike(initializer) ? initializer : undefined;
  }
  if (Node.isImportSpecifier(declaration)) {
    const module = lookup.module(declaration.getSourceFile(), declaration.getImportDeclaration().getModuleSpecifierValue());
    return module ? exportedFunctionOf(module, declaration.getName()) : undefined;
  }
  return undefined;
}

/** The class an identifier names: declared in its file, or exported by a relatively imported module. */
export function classNamed(id: Identifier, resolver: Resolver, lookup: ProjectLookup): ClassDeclaration | undefined {
  const declaration = resolver.of(id);
  if (!declaration) return undefined;
  if (Node.isClassDeclaration(declaration)) return declaration;
  if (Node.isImportSpecifier(declaration)) {
    const module = lookup.module(declaration.getSourceFile(), declaration.getImportDeclaration().getModuleSpecifierValue());
    const cls = module?.getClass(declaration.getName());
    return cls && isExported(cls) ? cls : undefined;
  }
  return undefined;
}

/** The class of a receiver: a parameter or variable typed with a class, or a variable built with `new C(…)`. */
function receiverClass(receiver: Identifier, resolver: Resolver, lookup: ProjectLookup): ClassDeclaration | undefined {
  const declaration = resolver.of(receiver);
  if (!declaration || !(Node.isParameterDeclaration(declaration) || Node.isVariableDeclaration(declaration))) return undefined;
  const type = declaration.getTypeNode();
  if (type && Node.isTypeReference(type)) {
    const name = type.getTypeName();
    return Node.isIdentifier(name) ? classNamed(name, resolver, lookup) : undefined;
  }
  const initializer = Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  const built = initializer && Node.isNewExpression(initializer) ? initializer.getExpression() : undefined;
  return built && Node.isIdentifier(built) ? classNamed(built, resolver, lookup) : undefined;
}

/** The method a call like `app.createConnection(…)` runs, when the receiver's class can be found. */
export function methodCalled(callee: PropertyAccessExpression, resolver: Resolver, lookup: ProjectLookup): FunctionLike | undefined {
  const receiver = callee.getExpression();
  // `this.createMcpServer()`: a method of the class whose code makes the call.
  const own = Node.isThisExpression(receiver) ? receiver.getFirstAncestorByKind(SyntaxKind.ClassDeclaration) : undefined;
  if (!own && !Node.isIdentifier(receiver)) return undefined;
  const method = (own ?? receiverClass(receiver as Identifier, resolver, lookup))?.getMethod(callee.getName());
  return method?.getBody() ? method : undefined;
}

/** Functions of this project that `fn` itself calls by name (not from nested functions): what it builds with. */
export function functionsCalledBy(fn: FunctionLike, resolver: Resolver, lookup: ProjectLookup): FunctionLike[] {
  const body = fn.getBody();
  if (!body) return [];
  const out: FunctionLike[] = [];
  for (const call of nodesOfKind(body, SyntaxKind.CallExpression)) {
    if (enclosingFunction(call) !== fn) continue;
    const callee = call.getExpression();
    const target = Node.isIdentifier(callee) ? functionNamed(callee, resolver, lookup) : undefined;
    if (target && target !== fn && !out.includes(target)) out.push(target);
  }
  return out;
}

/** Whether instances of a class change their own fields after construction (`this.tabs.push(…)`, `this.current = …`). */
export function classKeepsState(cls: ClassDeclaration, changes: (access: Node) => boolean): boolean {
  for (const member of [...cls.getMethods(), ...cls.getGetAccessors(), ...cls.getSetAccessors()]) {
    for (const access of nodesOfKind(member, SyntaxKind.PropertyAccessExpression)) {
      if (access.getExpression().getKind() === SyntaxKind.ThisKeyword && changes(access)) return true;
    }
  }
  return false;
}

/**
 * The field a server-building method keeps what it builds in (`this._connectionList.push(connection)`), if any:
 * one connection per session was a bounded list; built per request, it grows with every request.
 */
export function keptCollection(fn: FunctionLike): string | undefined {
  const body = fn.getBody();
  if (!body) return undefined;
  for (const call of body.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !['push', 'add', 'set', 'unshift'].includes(callee.getName())) continue;
    const target = callee.getExpression();
    if (Node.isPropertyAccessExpression(target) && target.getExpression().getKind() === SyntaxKind.ThisKeyword) return target.getText();
  }
  return undefined;
}
