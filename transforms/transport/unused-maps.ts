import { Node, type VariableDeclaration, type VariableStatement } from 'ts-morph';
import { unwrap } from '../../src/analysis/syntax.js';
import type { PhaseInput, PhaseOutput } from './phase.js';
import { TextEdits } from './text-edits.js';
import { namesTransportClass, TRANSPORT_CLASS_NAMES } from './plumbing.js';

/**
 * A module-level map of session transports that no code reads or writes (`export const TransportsCache = new
 * Map<string, StreamableHTTPServerTransport>()`, left behind when the serving code became stateless or moved):
 * nothing routes sessions through it, so it goes, with a note saying so. A map any code uses, even only by
 * importing it, stays for the serving code that owns it.
 */
export function planUnusedMaps(input: PhaseInput): PhaseOutput | undefined {
  const { file } = input;
  const unused = file.getVariableStatements().filter((statement) => {
    const declarations = statement.getDeclarations();
    return declarations.length === 1 && holdsTransports(declarations[0]!) && !usedAnywhere(declarations[0]!);
  });
  if (unused.length === 0) return undefined;
  const edits = new TextEdits(file.getFullText());
  const candidates = new Set<string>();
  for (const statement of unused) {
    const declaration = statement.getDeclarations()[0]!;
    for (const name of typeNames(statement)) candidates.add(name);
    // The note stands where the statement was.
    edits.removeRun([statement], [{ offset: 0, rule: 'SL002', level: 'info', message: `${declaration.getName()} kept transports by session id, and no code used it: it went with the sessions` }]);
  }
  return { edits, markers: [], candidates, imports: [] };
}

/** A container (`new Map()`, `{}`) declared to hold SDK transports: `Map<string, StreamableHTTPServerTransport>`. */
function holdsTransports(declaration: VariableDeclaration): boolean {
  const initializer = declaration.getInitializer();
  const value = initializer && unwrap(initializer);
  const container = value !== undefined && (Node.isNewExpression(value) || Node.isObjectLiteralExpression(value) || Node.isArrayLiteralExpression(value));
  if (!initializer || !container) return false;
  const typeText = [declaration.getTypeNode()?.getText() ?? '', Node.isNewExpression(value) ? value.getTypeArguments().map((t) => t.getText()).join(',') : '', initializer.getText()].join(' ');
  return namesTransportClass(typeText);
}

/** Whether anything but the declaration itself names it, in this module or another (an import counts). */
function usedAnywhere(declaration: VariableDeclaration): boolean {
  const own = declaration.getNameNode();
  return declaration.findReferencesAsNodes().some((reference) => reference !== own);
}

/** The identifiers a removed statement's types named: their imports may now be dead. */
function typeNames(statement: VariableStatement): string[] {
  return statement.getDescendants().flatMap((node) => (Node.isIdentifier(node) && TRANSPORT_CLASS_NAMES.has(node.getText()) ? [node.getText()] : []));
}
