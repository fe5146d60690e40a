import type { Diagnostic } from '../engine/diagnostics.js';
import type { FileChange } from '../engine/vfs.js';
import { TODO_MARKER } from '../rules/rules.js';

/** A marker comment the run left, where it stands in the final text. */
export interface MarkerLine {
  file: string;
  /** 1-based line in the file as written. */
  line: number;
  rule: string;
  message: string;
}

const MARKER_LINE = new RegExp(`${TODO_MARKER.replace(/[-@]/g, '\\$&')}\\((\\w+)\\):\\s*(.*)$`);

/**
 * The markers this run inserted (its todo diagnostics), located in the final texts: formatting and later
 * transforms move lines, so the diagnostic's own line is only the fallback.
 */
export function markersIn(changes: readonly FileChange[], diagnostics: readonly Diagnostic[]): MarkerLine[] {
  const out: MarkerLine[] = [];
  for (const change of changes) {
    const lines = change.after.split('\n');
    const wanted = diagnostics.filter((d) => d.file === change.path && d.message.startsWith(TODO_MARKER));
    const used = new Set<number>();
    for (const diagnostic of wanted) {
      const match = MARKER_LINE.exec(diagnostic.message);
      const rule = match?.[1] ?? String(diagnostic.rule);
      const message = match?.[2] ?? diagnostic.message;
      const index = lines.findIndex((text, i) => !used.has(i) && text.includes(`${TODO_MARKER}(${rule}): ${message}`));
      if (index >= 0) used.add(index);
      out.push({ file: change.path, line: index >= 0 ? index + 1 : diagnostic.line, rule, message });
    }
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

/** Markers in lines a hunk adds: `// @mcp-sessionless-todo(SL003): decide …` → rule and message. */
export function markerOfLine(line: string): { rule: string; message: string } | undefined {
  const match = MARKER_LINE.exec(line);
  return match ? { rule: match[1] ?? '', message: match[2] ?? '' } : undefined;
}
