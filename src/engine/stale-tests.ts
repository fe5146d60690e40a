/**
 * Tests left alone that use what migrate rewrote. A project's own unit tests call its helpers, getters and
 * classes directly, outside any tool call; once their state lives in a conversation's record (or their
 * signatures gained a handle), those tests fail while the type-check gate, which sees only the server's own
 * files, says nothing. One warning per such test file names what it uses and where that changed.
 */
import { ts } from 'ts-morph';
import { resolveModule, type PathAlias } from './module-paths.js';
import type { Diagnostic } from './diagnostics.js';
import type { FileChange } from './vfs.js';

/** The warnings for `tests` (paths and texts the run left alone) about the user's files in `changes`. */
export function staleTests(tests: readonly string[], textOf: (path: string) => string | undefined, changes: readonly FileChange[], aliases: readonly PathAlias[] = []): Diagnostic[] {
  const rewritten = new Map<string, Set<string>>();
  for (const change of changes) {
    if (change.before === undefined || change.transforms.length === 0) continue;
    const names = changedDeclarations(change.path, change.before, change.after);
    if (names.size > 0) rewritten.set(change.path, names);
  }
  if (rewritten.size === 0) return [];
  const known = new Set(rewritten.keys());
  const out: Diagnostic[] = [];
  for (const test of tests) {
    const text = textOf(test);
    if (text === undefined) continue;
    const source = ts.createSourceFile(test, text, ts.ScriptTarget.Latest, false);
    const uses: Array<{ module: string; names: string[]; line: number }> = [];
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      const module = resolveModule(test, specifier, known, aliases);
      const changed = module ? rewritten.get(module) : undefined;
      if (!module || !changed) continue;
      const names = importedNames(statement).filter((name) => name === '*' || changed.has(name));
      if (names.length === 0) continue;
      const line = source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1;
      uses.push({ module, names: names.map((name) => (name === '*' ? [...changed].join(', ') : name)), line });
    }
    if (uses.length === 0) continue;
    const what = uses.map((use) => `${use.names.join(', ')} from ${use.module}`).join('; ');
    out.push({
      level: 'warning',
      rule: 'stale-test',
      file: test,
      line: uses[0]!.line,
      column: 1,
      message: `this test uses ${what}, which migrate rewrote, and was left alone (--include-tests migrates it): code it calls outside a tool call may now need a handle or a record; run it against the migrated code`,
    });
  }
  return out;
}

/** Names a test imports (`*` for a namespace or default import: the whole module). */
function importedNames(statement: ts.ImportDeclaration): string[] {
  const clause = statement.importClause;
  if (!clause || clause.isTypeOnly) return [];
  const out: string[] = [];
  if (clause.name) out.push('*');
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) out.push('*');
  if (bindings && ts.isNamedImports(bindings)) {
    for (const element of bindings.elements) if (!element.isTypeOnly) out.push((element.propertyName ?? element.name).text);
  }
  return out;
}

/** Top-level declarations (functions, classes, variables) whose text differs after the rewrite, or that went. */
function changedDeclarations(path: string, before: string, after: string): Set<string> {
  const was = declarations(path, before);
  const now = declarations(path, after);
  return new Set([...was].filter(([name, text]) => now.get(name) !== text).map(([name]) => name));
}

function declarations(path: string, text: string): Map<string, string> {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  const out = new Map<string, string>();
  for (const statement of source.statements) {
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) out.set(statement.name.text, statement.getText(source));
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) out.set(declaration.name.text, declaration.getText(source));
      }
    }
  }
  return out;
}
