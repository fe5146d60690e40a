import { Node, type SourceFile } from 'ts-morph';
import { isPure, referencesIn, Resolver } from './syntax.js';
import { adjacentRuns, type TextEdits } from './text-edits.js';

/**
 * Declarations the rewrite left without a single use (the event store, idle-session timeouts, a
 * `trackResponse` helper, a module-wide server). Only names the removed code used are candidates, only
 * unexported declarations whose initializer cannot have side effects go, so nothing the user still
 * needs or that does work on its own is touched.
 */

/** Remove dead declarations named in `candidates`; returns the names those declarations used (the next round). */
export function removeOrphans(file: SourceFile, edits: TextEdits, candidates: ReadonlySet<string>): Set<string> {
  const resolver = new Resolver();
  const used = new Set<unknown>();
  for (const id of referencesIn(file)) {
    const declaration = resolver.of(id);
    // A use inside the declaration itself (recursion) does not keep it alive.
    if (declaration && !(id.getPos() >= declaration.getPos() && id.getEnd() <= declaration.getEnd())) used.add(declaration.compilerNode);
  }
  const dead: Node[] = [];
  for (const statement of file.getDescendants()) {
    const parent = statement.getParent();
    if (!parent || !(Node.isSourceFile(parent) || Node.isBlock(parent))) continue;
    if (Node.isFunctionDeclaration(statement)) {
      const name = statement.getName();
      if (name && candidates.has(name) && !statement.isExported() && !used.has(statement.compilerNode)) dead.push(statement);
    } else if ((Node.isInterfaceDeclaration(statement) || Node.isTypeAliasDeclaration(statement)) && !statement.isExported()) {
      if (candidates.has(statement.getName()) && !used.has(statement.compilerNode)) dead.push(statement);
    } else if (Node.isVariableStatement(statement) && !statement.isExported()) {
      const declarations = statement.getDeclarations();
      const [declaration] = declarations;
      if (declarations.length !== 1 || !declaration || !Node.isIdentifier(declaration.getNameNode())) continue;
      if (candidates.has(declaration.getName()) && !used.has(declaration.compilerNode) && isPure(declaration.getInitializer())) dead.push(statement);
    }
  }
  // A dead function's own dead locals go with it.
  const outermost = dead.filter((d) => !dead.some((o) => o !== d && d.getPos() >= o.getPos() && d.getEnd() <= o.getEnd()));
  dead.splice(0, dead.length, ...outermost);
  const next = new Set<string>();
  const byParent = new Map<unknown, Node[]>();
  for (const statement of dead) {
    for (const id of referencesIn(statement)) next.add(id.getText());
    const parent = statement.getParentOrThrow();
    byParent.set(parent.compilerNode, [...(byParent.get(parent.compilerNode) ?? []), statement]);
  }
  for (const statements of byParent.values()) {
    const parent = statements[0]?.getParentOrThrow() as (Node & { getStatements(): Node[] }) | undefined;
    if (!parent) continue;
    for (const run of adjacentRuns(statements, parent.getStatements())) edits.removeRun(run);
  }
  return next;
}
