import { Node, ts, type SourceFile } from 'ts-morph';
import { identifierText, indexCache } from '../shared/file-index.js';
import { posix } from 'node:path';
import { normalizeModule, SDK_SOURCE_ROOT, sdkSourceSubpaths } from '../../src/rules/transport-symbols.js';
import { quoted, type Style } from './style.js';
import { isSdkSourceModule } from '../../src/engine/sdk-detect.js';
import { referenceNodesIn } from '../shared/declarations.js';
import type { TextEdits } from './text-edits.js';

/** One binding a module brings into the file: ESM import or CommonJS `const { x } = require(…)`. */
export interface ImportedBinding {
  local: string;
  /** Exported name, `default` or `*`. */
  imported: string;
  /** Module specifier as written. */
  module: string;
  /** The module it stands for, without `.js` or `/index`: the SDK's own relative imports as their package paths. */
  canonical: string;
  /** The declaring node (import specifier, clause, namespace import or binding element). */
  node: Node;
}

/** `require('m')`, or `await import('m')` (servers that load Node-only transports lazily). */
function requireSpecifier(node: Node | undefined): string | undefined {
  if (node && Node.isAwaitExpression(node)) {
    const call = node.getExpression();
    const [arg] = Node.isCallExpression(call) ? call.getArguments() : [];
    return Node.isCallExpression(call) && call.getExpression().getKind() === ts.SyntaxKind.ImportKeyword && arg && Node.isStringLiteral(arg) ? arg.getLiteralValue() : undefined;
  }
  if (!node || !Node.isCallExpression(node)) return undefined;
  const callee = node.getExpression();
  const [arg] = node.getArguments();
  if (!Node.isIdentifier(callee) || callee.getText() !== 'require' || !arg || !Node.isStringLiteral(arg)) return undefined;
  return arg.getLiteralValue();
}

const SDK_SUBPATHS = sdkSourceSubpaths();

/**
 * Where a relative specifier of a file inside the SDK's own sources points: the SDK source root (the folder
 * holding `server/`, `types.ts`) and the subpath, when the target is one of the SDK modules the tables name.
 */
function sdkSourceTarget(file: SourceFile, specifier: string): { root: string; subpath: string } | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = normalizeModule(posix.join(posix.dirname(file.getFilePath()), specifier));
  const marker = `/${SDK_SOURCE_ROOT.folder}/`;
  const at = target.lastIndexOf(marker);
  if (at < 0) return undefined;
  const subpath = target.slice(at + marker.length);
  if (!SDK_SUBPATHS.has(subpath)) return undefined;
  const root = target.slice(0, at + marker.length - 1);
  return isSdkSourceModule(file.getProject(), root, target) ? { root, subpath } : undefined;
}

function canonicalModule(file: SourceFile, specifier: string): string {
  const inSdk = sdkSourceTarget(file, specifier);
  return inSdk ? `${SDK_SOURCE_ROOT.package}/${inSdk.subpath}` : normalizeModule(specifier);
}

export function importedBindings(file: SourceFile): readonly ImportedBinding[] {
  // Asked many times per file and text; the index cache goes with the text.
  const cache = indexCache<'bindings', ImportedBinding[]>(file, 'imports:bindings');
  let bindings = cache.get('bindings');
  if (!bindings) {
    bindings = readImportedBindings(file);
    cache.set('bindings', bindings);
  }
  return bindings;
}

function readImportedBindings(file: SourceFile): ImportedBinding[] {
  const out: ImportedBinding[] = [];
  for (const declaration of file.getImportDeclarations()) {
    const module = declaration.getModuleSpecifierValue();
    const clause = declaration.getImportClause();
    const defaultImport = clause?.getDefaultImport();
    const canonical = canonicalModule(file, module);
    if (defaultImport && clause) out.push({ local: defaultImport.getText(), imported: 'default', module, canonical, node: clause });
    const namespace = declaration.getNamespaceImport();
    if (namespace) out.push({ local: namespace.getText(), imported: '*', module, canonical, node: namespace.getParentOrThrow() });
    for (const specifier of declaration.getNamedImports()) {
      out.push({ local: specifier.getAliasNode()?.getText() ?? specifier.getName(), imported: specifier.getName(), module, canonical, node: specifier });
    }
  }
  // Module-level `require`s, and `await import(…)` wherever it is (a lazy load sits in the function that uses it).
  const declarations = file.getVariableStatements().flatMap((statement) => statement.getDeclarations());
  if (/\bimport\(/.test(file.getFullText())) {
    for (const declaration of file.getDescendantsOfKind(ts.SyntaxKind.VariableDeclaration)) {
      if (Node.isAwaitExpression(declaration.getInitializer()) && !declarations.includes(declaration)) declarations.push(declaration);
    }
  }
  {
    for (const declaration of declarations) {
      const module = requireSpecifier(declaration.getInitializer());
      if (!module) continue;
      const canonical = canonicalModule(file, module);
      const name = declaration.getNameNode();
      if (Node.isIdentifier(name)) out.push({ local: name.getText(), imported: '*', module, canonical, node: declaration });
      else if (Node.isObjectBindingPattern(name)) {
        for (const element of name.getElements()) {
          const local = element.getNameNode().getText();
          out.push({ local, imported: element.getPropertyNameNode()?.getText() ?? local, module, canonical, node: element });
        }
      }
    }
  }
  return out;
}

/** Bindings that import one of `table`'s symbols, keyed by declaring compiler node. */
export function bindingsFor<T extends { name: string; module: string }>(file: SourceFile, table: readonly T[]): Map<unknown, T> {
  const out = new Map<unknown, T>();
  for (const binding of importedBindings(file)) {
    const entry = table.find((t) => t.name === binding.imported && binding.canonical === t.module);
    if (entry) out.set(binding.node.compilerNode, entry);
  }
  return out;
}

/**
 * How the file spells SDK v1 subpaths (with or without `.js`), for imports we add; inside the SDK's own sources,
 * the relative path its other SDK imports use.
 */
export function v1Specifier(file: SourceFile, module: string): string {
  const bindings = importedBindings(file);
  const relative = bindings.map((b) => sdkSourceTarget(file, b.module)).find((t) => t !== undefined);
  if (relative && module.startsWith(`${SDK_SOURCE_ROOT.package}/`)) {
    const path = posix.relative(posix.dirname(file.getFilePath()), `${relative.root}/${module.slice(SDK_SOURCE_ROOT.package.length + 1)}`);
    return `${path.startsWith('.') ? path : `./${path}`}.js`;
  }
  const written = bindings.find((b) => b.module.startsWith('@modelcontextprotocol/sdk/'));
  return written && !/\.js$/.test(written.module) ? module : `${module}.js`;
}

/** Add named imports, merging into an existing import of the same module; one edit per module. */
export function addImports(file: SourceFile, edits: TextEdits, style: Style, wanted: ReadonlyArray<{ module: string; name: string }>): void {
  const byModule = new Map<string, string[]>();
  const present = new Set(importedBindings(file).map((b) => `${b.module}\0${b.imported}`));
  for (const { module, name } of wanted) {
    if (present.has(`${module}\0${name}`)) continue;
    byModule.set(module, [...new Set([...(byModule.get(module) ?? []), name])]);
  }
  const imports = file.getImportDeclarations();
  const esm = imports.length > 0 || !/\brequire\(/.test(file.getFullText());
  const fresh: string[] = [];
  for (const [module, names] of byModule) {
    const existing = imports.find((d) => d.getModuleSpecifierValue() === module && !d.isTypeOnly() && d.getNamedImports().length > 0);
    if (existing) {
      const elements = existing.getNamedImports();
      const sorted = elements.every((e, i) => i === 0 || (elements[i - 1]?.getName() ?? '').toLowerCase() <= e.getName().toLowerCase());
      const all = [...elements.map((e) => e.getText()), ...names];
      if (sorted) all.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
      const braces = existing.getImportClauseOrThrow().getNamedBindingsOrThrow();
      edits.replaceNode(braces, `{ ${all.join(', ')} }`);
      continue;
    }
    fresh.push(
      esm
        ? `import { ${names.join(', ')} } from ${quoted(style, module)}${style.semi}`
        : `const { ${names.join(', ')} } = require(${quoted(style, module)})${style.semi}`,
    );
  }
  if (fresh.length === 0) return;
  const anchors = esm ? imports : file.getVariableStatements().filter((s) => s.getDeclarations().some((d) => requireSpecifier(d.getInitializer())));
  const sdkAnchor = [...anchors].reverse().find((a) => a.getText().includes('@modelcontextprotocol/'));
  const anchor = sdkAnchor ?? anchors[anchors.length - 1];
  if (anchor) edits.replace(anchor.getEnd(), anchor.getEnd(), fresh.map((line) => `\n${line}`).join(''));
  else edits.replace(0, 0, `${fresh.join('\n')}\n`);
}

/** `require('m')` on compiler nodes. */
function isRequireCall(node: ts.Node | undefined, source: ts.SourceFile): boolean {
  if (!node || !ts.isCallExpression(node)) return false;
  const [arg] = node.arguments;
  return ts.isIdentifier(node.expression) && node.expression.getText(source) === 'require' && arg !== undefined && ts.isStringLiteral(arg);
}

/** Identifier texts still used anywhere outside import/require declarations. */
function namesInUse(file: SourceFile): Set<string> {
  const source = file.compilerNode;
  const used = new Set<string>();
  for (const id of referenceNodesIn(file)) {
    let inImport = false;
    let inRequire = false;
    let inPattern = false;
    for (let a = id.parent; a; a = a.parent) {
      if (ts.isImportDeclaration(a)) inImport = true;
      else if (ts.isVariableDeclaration(a) && isRequireCall(a.initializer, source)) inRequire = true;
      else if (ts.isObjectBindingPattern(a)) inPattern = true;
    }
    if (!inImport && !(inRequire && inPattern)) used.add(identifierText(source, id));
  }
  return used;
}

/**
 * Remove imports of `candidates` (names the rewrite stopped using) that nothing references any more.
 * Imports the rewrite never touched stay, used or not: tidying the user's imports is not our business.
 */
export function pruneImports(file: SourceFile, edits: TextEdits, candidates: ReadonlySet<string>): void {
  const used = namesInUse(file);
  const unused = new Set([...candidates].filter((name) => !used.has(name)));
  if (unused.size === 0) return;
  for (const declaration of file.getImportDeclarations()) {
    const clause = declaration.getImportClause();
    if (!clause) continue;
    const named = declaration.getNamedImports();
    const keptNamed = named.filter((s) => !unused.has(s.getAliasNode()?.getText() ?? s.getName()));
    const defaultName = clause.getDefaultImport()?.getText();
    const namespace = declaration.getNamespaceImport()?.getText();
    const keepDefault = defaultName !== undefined && !unused.has(defaultName);
    const keepNamespace = namespace !== undefined && !unused.has(namespace);
    if (keptNamed.length === named.length && (defaultName === undefined || keepDefault) && (namespace === undefined || keepNamespace)) continue;
    if (keptNamed.length === 0 && !keepDefault && !keepNamespace) {
      edits.removeRun([declaration]);
    } else if (keptNamed.length < named.length && (keepDefault || defaultName === undefined) && (keepNamespace || namespace === undefined)) {
      if (keptNamed.length === 0 && keepDefault) {
        const bindings = clause.getNamedBindingsOrThrow();
        edits.replace(clause.getDefaultImportOrThrow().getEnd(), bindings.getEnd(), '');
      } else {
        edits.replaceNode(clause.getNamedBindingsOrThrow(), `{ ${keptNamed.map((s) => s.getText()).join(', ')} }`);
      }
    }
  }
  for (const statement of file.getVariableStatements()) {
    const [declaration] = statement.getDeclarations();
    if (statement.getDeclarations().length !== 1 || !declaration || !requireSpecifier(declaration.getInitializer())) continue;
    const name = declaration.getNameNode();
    if (Node.isIdentifier(name) && unused.has(name.getText())) edits.removeRun([statement]);
    else if (Node.isObjectBindingPattern(name)) {
      const elements = name.getElements();
      const kept = elements.filter((e) => !unused.has(e.getNameNode().getText()));
      if (kept.length === elements.length) continue;
      if (kept.length === 0) edits.removeRun([statement]);
      else edits.replaceNode(name, `{ ${kept.map((e) => e.getText()).join(', ')} }`);
    }
  }
}
