import { Node, ts, type SourceFile } from 'ts-morph';
import { isExportedNode } from '../shared/exports.js';
import { identifierText, wrap } from '../shared/file-index.js';
import { declarationNodeOf, referenceNodesIn } from '../shared/declarations.js';
import { TODO_MARKER } from '../../src/rules/rules.js';
import { isPureNode } from './syntax.js';
import { adjacentRuns, type TextEdits } from './text-edits.js';

/**
 * Declarations the rewrite left without a single use (the event store, idle-session timeouts, a
 * `trackResponse` helper, a module-wide server). Only names the removed code used are candidates, only
 * unexported declarations whose initializer cannot have side effects go, so nothing the user still
 * needs or that does work on its own is touched.
 */

function carriesMarker(source: ts.SourceFile, statement: ts.Node): boolean {
  const text = source.getFullText();
  return (ts.getLeadingCommentRanges(text, statement.getFullStart()) ?? []).some((range) => text.slice(range.pos, range.end).includes(TODO_MARKER));
}

function inertClass(source: ts.SourceFile, declaration: ts.ClassDeclaration): boolean {
  if (ts.getDecorators(declaration)?.length) return false;
  return declaration.members.every((member) => {
    if (ts.isClassStaticBlockDeclaration(member)) return false;
    const isStatic = ts.canHaveModifiers(member) && ts.getModifiers(member)?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
    return !isStatic || !ts.isPropertyDeclaration(member) || isPureNode(source, member.initializer);
  });
}

/** Remove dead declarations named in `candidates`; returns the names those declarations used (the next round). */
export function removeOrphans(file: SourceFile, edits: TextEdits, candidates: ReadonlySet<string>): Set<string> {
  const source = file.compilerNode;
  const used = new Set<ts.Node>();
  for (const id of referenceNodesIn(file)) {
    const declaration = declarationNodeOf(file, id);
    // A use inside the declaration itself (recursion) does not keep it alive.
    if (declaration && !(id.pos >= declaration.pos && id.end <= declaration.end)) used.add(declaration);
  }
  const named = (name: ts.Identifier | undefined) => name !== undefined && candidates.has(identifierText(source, name));
  const dead: ts.Node[] = [];
  const visit = (statement: ts.Node): void => {
    const parent = statement.parent;
    // A declaration another transform marked is a decision left to a person: it stays, used or not.
    if ((ts.isSourceFile(parent) || ts.isBlock(parent)) && !carriesMarker(source, statement)) {
      if (ts.isFunctionDeclaration(statement)) {
        if (named(statement.name) && !isExportedNode(file, statement) && !used.has(statement)) dead.push(statement);
      } else if (ts.isClassDeclaration(statement) && !isExportedNode(file, statement)) {
        // A class runs nothing when declared unless it has decorators or static initializers.
        if (named(statement.name) && !used.has(statement) && inertClass(source, statement)) dead.push(statement);
      } else if ((ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) && !isExportedNode(file, statement)) {
        if (named(statement.name) && !used.has(statement)) dead.push(statement);
      } else if (ts.isVariableStatement(statement) && !isExportedNode(file, statement)) {
        const declarations = statement.declarationList.declarations;
        const [declaration] = declarations;
        if (declarations.length === 1 && declaration && ts.isIdentifier(declaration.name)) {
          if (named(declaration.name) && !used.has(declaration) && isPureNode(source, declaration.initializer)) dead.push(statement);
        }
      }
    }
    ts.forEachChild(statement, visit);
  };
  ts.forEachChild(source, visit);
  // A dead function's own dead locals go with it.
  const outermost = dead.filter((d) => !dead.some((o) => o !== d && d.pos >= o.pos && d.end <= o.end));
  const next = new Set<string>();
  const byParent = new Map<ts.Node, Node[]>();
  for (const statement of outermost) {
    for (const id of referenceNodesIn(file, statement)) next.add(identifierText(source, id));
    byParent.set(statement.parent, [...(byParent.get(statement.parent) ?? []), wrap(file, statement)]);
  }
  for (const [parent, statements] of byParent) {
    const siblings = wrap<Node & { getStatements(): Node[] }>(file, parent).getStatements();
    for (const run of adjacentRuns(statements, siblings)) edits.removeRun(run);
  }
  return next;
}
