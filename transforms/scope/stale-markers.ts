/**
 * Markers a finer transform left on state a scope now holds: once the state is behind a handle, its marker
 * would ask a person to decide what is already done.
 */
import { TODO_MARKER_PATTERN } from '../../src/rules/rules.js';
import type { TextEdits } from '../handles/edits.js';

/** Remove the whole-line markers of the given rules (`SL003`, `SL006`) whose text names one of `names`. */
export function removeMarkersNaming(edits: TextEdits, names: readonly string[], rules: readonly string[]): void {
  if (names.length === 0) return;
  const pattern = new RegExp(`^[ \\t]*// ${TODO_MARKER_PATTERN}\\((?:${rules.join('|')})\\):[^\\n]*\\n`, 'gm');
  const named = names.map((name) => new RegExp(`\\b${name}\\b`));
  for (const match of edits.text.matchAll(pattern)) {
    if (!named.some((name) => name.test(match[0]))) continue;
    try {
      edits.replace(match.index!, match.index! + match[0].length, '');
    } catch {
      // The marker sits inside a range another edit already rewrites.
    }
  }
}
