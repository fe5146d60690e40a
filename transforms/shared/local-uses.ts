import { Node, type Identifier } from 'ts-morph';
import { referencesTo } from './declarations.js';
import { isExported } from './exports.js';

/**
 * Whether what a statement declares (`function f() {}`, or the first declaration of `const f = …`) is used at
 * least once in its module and every use passes `allowed`. An exported one answers no unless `exportedToo`:
 * other modules may use it where this cannot see.
 */
export function usedOnlyWhere(statement: Node, allowed: (use: Identifier) => boolean, { exportedToo = false } = {}): boolean {
  const declaration = Node.isVariableStatement(statement) ? statement.getDeclarations()[0] : statement;
  if (!declaration || (!exportedToo && Node.isExportable(statement) && isExported(statement))) return false;
  const uses = referencesTo(declaration);
  return uses.length > 0 && uses.every(allowed);
}
