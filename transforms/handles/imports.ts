import { posix } from 'node:path';
import { Node, SyntaxKind, type ImportDeclaration, type ImportSpecifier, type Project, type SourceFile } from 'ts-morph';
import type { TextEdits } from './edits.js';
import { isExported } from '../shared/exports.js';
import { identifiersOf } from '../shared/file-index.js';

/**
 * The specifier a file uses to import another project file, in the project's own convention:
 * `./handle-store.js` when relative imports carry extensions (NodeNext, plain ESM), `./handle-store`
 * when they are written without (bundlers).
 */
export function specifierFor(file: SourceFile, fromPath: string, targetPath: string): string {
  let relative = posix.relative(posix.dirname(fromPath), targetPath);
  if (!relative.startsWith('.')) relative = `./${relative}`;
  const withoutExt = relative.replace(/\.[cm]?[jt]sx?$/, '');
  const own = relativeSpecifiers(file);
  // A module whose relative imports name no extension may import only types (`from './types'`, gone once compiled);
  // where any module of the project names one, Node needs it at run time, and the new import is a value.
  const bare = own.length > 0 && own.every((s) => !HAS_EXTENSION.test(s)) && !projectNamesExtensions(file.getProject());
  return bare ? withoutExt : `${withoutExt}.js`;
}

const HAS_EXTENSION = /\.[cm]?[jt]sx?$/;

function relativeSpecifiers(file: SourceFile): string[] {
  return file.getImportDeclarations().map((d) => d.getModuleSpecifierValue()).filter((s) => s.startsWith('.'));
}

const namesExtensions = new WeakMap<Project, boolean>();

/** Whether any module of the project imports a relative path with its extension (`./tools.js`). */
function projectNamesExtensions(project: Project): boolean {
  let known = namesExtensions.get(project);
  if (known === undefined) {
    known = project.getSourceFiles().some((file) => relativeSpecifiers(file).some((s) => HAS_EXTENSION.test(s)));
    namesExtensions.set(project, known);
  }
  return known;
}

/** Whether a file is CommonJS (requires, no ESM imports or exports). */
export function isCommonJs(file: SourceFile): boolean {
  if (file.getImportDeclarations().length > 0 || file.getExportDeclarations().length > 0) return false;
  if (file.getStatements().some((s) => isExported(s))) return false;
  return /\brequire\(\s*['"]/.test(file.getFullText()) || /\bmodule\.exports\b/.test(file.getFullText());
}

/** Names a file already imports from `specifier` as values (`import type { … }` brings no value). */
function importedFrom(file: SourceFile, specifier: string): Set<string> {
  const names = new Set<string>();
  for (const declaration of valueImportsOf(file, specifier)) {
    for (const named of declaration.getNamedImports()) if (!named.isTypeOnly()) names.add((named.getAliasNode() ?? named.getNameNode()).getText());
  }
  return names;
}

/** A file's imports of `specifier` that bring values: names added there can be used as values. */
export function valueImportsOf(file: SourceFile, specifier: string): ImportDeclaration[] {
  return file.getImportDeclarations().filter((d) => d.getModuleSpecifierValue() === specifier && !d.isTypeOnly());
}

/**
 * Import `names` from `specifier`: added to an existing named import of that module (or beside its default
 * import), else as a new import after the last one (or at the top). Names already imported are skipped.
 */
export function addNamedImports(edits: TextEdits, file: SourceFile, specifier: string, names: readonly string[], quote: string): void {
  const have = importedFrom(file, specifier);
  const missing = [...new Set(names)].filter((name) => !have.has(name)).sort();
  if (missing.length === 0) return;
  const existing = valueImportsOf(file, specifier).find((d) => d.getNamedImports().length > 0);
  if (existing) {
    const named = existing.getNamedImports();
    const all = [...named.map((n) => n.getText()), ...missing].sort((a, b) => a.localeCompare(b));
    edits.replace(named[0]!.getStart(), named[named.length - 1]!.getEnd(), all.join(namedImportSeparator(named)));
    return;
  }
  // `import service from './service.js'` takes the names beside its default: `import service, { sessions } from …`.
  const defaultOnly = valueImportsOf(file, specifier).find((d) => d.getDefaultImport() && !d.getNamespaceImport() && !d.getImportClause()?.getNamedBindings());
  if (defaultOnly) {
    edits.insert(defaultOnly.getDefaultImport()!.getEnd(), `, { ${missing.join(', ')} }`);
    return;
  }
  const line = `import { ${missing.join(', ')} } from ${quote}${specifier}${quote};`;
  insertImportLine(edits, file, line);
}

/**
 * What separates the names of an import list as the file writes it: `, ` on one line, or a line break and the
 * list's indentation when each name has a line of its own.
 */
export function namedImportSeparator(named: readonly ImportSpecifier[]): string {
  const [first, second] = named;
  if (!first) return ', ';
  const text = first.getSourceFile().getFullText();
  if (second) return text.slice(first.getEnd(), second.getStart());
  const before = text.slice(text.lastIndexOf('\n', first.getStart()) + 1, first.getStart());
  return /^\s+$/.test(before) && text.lastIndexOf('\n', first.getStart()) > first.getParentOrThrow().getStart() ? `,\n${before}` : ', ';
}

/** Import `z` from zod when the file has no `z` binding yet. */
export function ensureZod(edits: TextEdits, file: SourceFile, quote: string): void {
  const hasZ = file.getImportDeclarations().some((d) => {
    if (!/^zod(?:\/|$)/.test(d.getModuleSpecifierValue())) return false;
    return d.getNamespaceImport()?.getText() === 'z' || d.getNamedImports().some((n) => (n.getAliasNode() ?? n.getNameNode()).getText() === 'z');
  });
  if (!hasZ) insertImportLine(edits, file, `import { z } from ${quote}zod${quote};`);
}

function insertImportLine(edits: TextEdits, file: SourceFile, line: string): void {
  const imports = file.getImportDeclarations();
  const last = imports[imports.length - 1];
  if (last) {
    edits.insert(last.getEnd(), `\n${line}`);
    return;
  }
  const first = file.getStatements()[0];
  if (!first) {
    edits.insert(file.getEnd(), `${line}\n`);
    return;
  }
  // Above the first statement and its comments, below a shebang or a file header separated by a blank line.
  const comments = first.getLeadingCommentRanges();
  const text = file.getFullText();
  const header = comments.findIndex((range, index) => {
    const next = comments[index + 1]?.getPos() ?? first.getStart();
    return /\n\s*\n/.test(text.slice(range.getEnd(), next));
  });
  const at = header === -1 ? (comments[0]?.getPos() ?? first.getStart()) : (comments[header + 1]?.getPos() ?? first.getStart());
  edits.insert(at, `${line}\n\n`);
}

/** Whether a file uses `name` outside its imports and outside the statements being removed or replaced. */
export function usedOutside(file: SourceFile, name: string, removed: readonly Node[]): boolean {
  return identifiersOf(file).some((identifier) => {
    if (identifier.getText() !== name) return false;
    if (identifier.getFirstAncestorByKind(SyntaxKind.ImportDeclaration)) return false;
    return !removed.some((statement) => identifier.getAncestors().includes(statement as never));
  });
}

/**
 * After removing statements that used an imported name, remove the import too when nothing else in the file
 * uses it (the whole declaration when it was its only name).
 */
export function dropImportIfUnused(edits: TextEdits, file: SourceFile, name: string, removed: readonly Node[]): void {
  if (usedOutside(file, name, removed)) return;
  for (const declaration of file.getImportDeclarations()) {
    const named = declaration.getNamedImports().find((n) => (n.getAliasNode() ?? n.getNameNode()).getText() === name);
    if (!named) continue;
    const only = declaration.getNamedImports().length === 1 && !declaration.getDefaultImport() && !declaration.getNamespaceImport();
    if (only) {
      edits.removeStatement(declaration);
    } else {
      const text = file.getFullText();
      const after = /^\s*,\s*/.exec(text.slice(named.getEnd()))?.[0].length ?? 0;
      // The last name takes the comma before it with it: `{ a, b }` → `{ a }`.
      const before = after === 0 ? (/,\s*$/.exec(text.slice(0, named.getStart()))?.[0].length ?? 0) : 0;
      edits.replace(named.getStart() - before, named.getEnd() + after, '');
    }
  }
}
