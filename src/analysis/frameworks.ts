/**
 * Servers built on a framework that owns its transport (FastMCP): where they start serving HTTP with sessions.
 * Shared by the audit (a finding) and the stateless-transport transform (the framework's own stateless switch).
 */
import { posix } from 'node:path';
import { Node, SyntaxKind, type CallExpression, type ObjectLiteralExpression, type PropertyAssignment, type SourceFile } from 'ts-morph';
import { FRAMEWORK_SERVING, type FrameworkServing } from '../rules/transport-symbols.js';
import { literalText } from './syntax.js';

/** One `server.start({ transportType: 'httpStream', … })` of a framework server. */
export interface FrameworkStart {
  framework: FrameworkServing;
  call: CallExpression;
  options: ObjectLiteralExpression;
  /** The `httpStream: { … }` options, when written inline. */
  httpOptions?: ObjectLiteralExpression;
  /** Whether `httpStream` is there but not an object literal (a variable, a spread). */
  opaqueHttpOptions: boolean;
  /** The `stateless: …` property, when there is one. */
  stateless?: PropertyAssignment;
}

/** A relative import of the framework's own sources (its examples: `../FastMCP.js` resolving to `src/FastMCP`). */
function ownSource(file: SourceFile, specifier: string, framework: FrameworkServing): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = posix.join(posix.dirname(file.getFilePath()), specifier).replace(/\.(c|m)?[jt]s$/, '');
  return target === `/${framework.sourcePath}` || target.endsWith(`/${framework.sourcePath}`);
}

/** The local names a file imports a framework's server class under. */
function frameworkNames(file: SourceFile): Map<string, FrameworkServing> {
  const out = new Map<string, FrameworkServing>();
  for (const declaration of file.getImportDeclarations()) {
    const specifier = declaration.getModuleSpecifierValue();
    const framework = FRAMEWORK_SERVING.find((f) => f.module === specifier || ownSource(file, specifier, f));
    if (!framework) continue;
    for (const specifier of declaration.getNamedImports()) {
      if (specifier.getName() === framework.name) out.set(specifier.getAliasNode()?.getText() ?? specifier.getName(), framework);
    }
  }
  return out;
}

function propertyNamed(object: ObjectLiteralExpression, name: string): PropertyAssignment | undefined {
  const property = object.getProperty(name);
  return property && Node.isPropertyAssignment(property) ? property : undefined;
}

/** Framework servers of this file that start serving HTTP, stateless or not (the caller reads `stateless`). */
export function frameworkHttpStarts(file: SourceFile): FrameworkStart[] {
  const names = frameworkNames(file);
  if (names.size === 0) return [];
  // Variables built with `new FastMCP(…)`, by name.
  const servers = new Map<string, FrameworkServing>();
  for (const declaration of file.getDescendantsOfKind(SyntaxKind.VariableDeclaration)) {
    const initializer = declaration.getInitializer();
    if (!initializer || !Node.isNewExpression(initializer)) continue;
    const framework = names.get(initializer.getExpression().getText());
    if (framework && Node.isIdentifier(declaration.getNameNode())) servers.set(declaration.getName(), framework);
  }
  const out: FrameworkStart[] = [];
  for (const call of file.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee)) continue;
    const framework = servers.get(callee.getExpression().getText());
    if (!framework || callee.getName() !== framework.startMethod) continue;
    const [options] = call.getArguments();
    if (!options || !Node.isObjectLiteralExpression(options)) continue;
    if (literalText(propertyNamed(options, framework.transportKey)?.getInitializer()) !== framework.httpTransport) continue;
    const httpProperty = options.getProperty(framework.httpOptionsKey);
    const httpValue = httpProperty && Node.isPropertyAssignment(httpProperty) ? httpProperty.getInitializer() : undefined;
    const httpOptions = httpValue && Node.isObjectLiteralExpression(httpValue) ? httpValue : undefined;
    out.push({
      framework,
      call,
      options,
      httpOptions,
      opaqueHttpOptions: httpProperty !== undefined && httpOptions === undefined,
      stateless: httpOptions ? propertyNamed(httpOptions, framework.statelessKey) : undefined,
    });
  }
  return out;
}

/** Whether a start keeps the framework's sessions: no `stateless: true` written. */
export function keepsSessions(start: FrameworkStart): boolean {
  return start.stateless?.getInitializer()?.getKind() !== SyntaxKind.TrueKeyword;
}
