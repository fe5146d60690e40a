import { Node, type SourceFile } from 'ts-morph';
import type { PatternId, RuleId } from '../rules/rules.js';
import { TODO_MARKER } from '../rules/rules.js';
import { isCurrentNode, replaceFileText } from './parse.js';

/**
 * The statement or class member a marker comment is attached above (never a place inside an expression). It must start its own
 * line (`if (x) { stmt` would put the comment after code, where a second run cannot see it), so an anchor
 * sharing its line with earlier code climbs to the enclosing one that does not.
 */
export function anchorOf(node: Node): Node {
  let anchor = innermostAnchor(node);
  while (!startsItsLine(anchor)) {
    const parent = anchor.getParent();
    if (!parent || Node.isSourceFile(parent)) break;
    anchor = innermostAnchor(parent);
  }
  return anchor;
}

function startsItsLine(node: Node): boolean {
  const text = node.getSourceFile().getFullText();
  const start = node.getStart();
  return /^[ \t]*$/.test(text.slice(text.lastIndexOf('\n', start - 1) + 1, start));
}

function innermostAnchor(node: Node): Node {
  let current: Node = node;
  for (;;) {
    const parent = current.getParent();
    if (
      !parent ||
      Node.isSourceFile(parent) ||
      Node.isBlock(parent) ||
      Node.isCaseClause(parent) ||
      Node.isDefaultClause(parent) ||
      // A marker above a whole class would be vague: members are anchors of their own. Object literals are
      // not: a comment between properties sits inside an expression, so it goes above the enclosing statement.
      Node.isClassDeclaration(parent) ||
      Node.isClassExpression(parent)
    ) {
      return current;
    }
    current = parent;
  }
}

export function markerText(rule: RuleId, message: string): string {
  return `// ${TODO_MARKER}(${rule}): ${message.replace(/\s*\n\s*/g, ' ')}`;
}

export interface PendingMarker {
  anchor: Node;
  rule: RuleId;
  message: string;
  pattern?: PatternId;
}

export interface PlacedMarker {
  rule: RuleId;
  message: string;
  pattern?: PatternId;
  line: number;
  column: number;
  inserted: boolean;
}

/**
 * Write queued markers into the file, each on its own line above its anchor.
 * Runs after a transform finishes because raw text insertion makes ts-morph forget node wrappers;
 * positions are collected first and spliced from the end so earlier offsets stay valid.
 * An anchor that already carries a marker is left alone (idempotence, and one marker per statement);
 * two queued markers for the same anchor become one.
 */
export function applyMarkers(file: SourceFile, pending: readonly PendingMarker[]): PlacedMarker[] {
  if (pending.length === 0) return [];
  const text = file.getFullText();
  const seen = new Set<string>();
  const placed: Array<PlacedMarker & { offset: number; indent: string }> = [];
  for (const { anchor, rule, message, pattern } of pending) {
    // A node from before the transform's last whole-file edit would give offsets into the old text.
    if (!isCurrentNode(anchor)) throw new Error(`a marker (${rule}) is anchored to code the transform has since rewritten`);
    const offset = anchor.getStart();
    // One marker per statement: a second decision about the same statement (another rule, another transform)
    // would only repeat what the person reading the first one is already deciding.
    const key = `${offset}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { line, column } = file.getLineAndColumnAtPos(offset);
    const already = anchor.getLeadingCommentRanges().some((range) => range.getText().includes(TODO_MARKER));
    const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart, offset))?.[0] ?? '';
    placed.push({ rule, message, pattern, line, column, inserted: !already, offset, indent });
  }
  let next = text;
  for (const marker of [...placed].sort((a, b) => b.offset - a.offset)) {
    if (!marker.inserted) continue;
    next = `${next.slice(0, marker.offset)}${markerText(marker.rule, marker.message)}\n${marker.indent}${next.slice(marker.offset)}`;
  }
  if (next !== text) replaceFileText(file, next);
  // Lines as the output has them: each marker inserted above shifts what follows by one line.
  const insertedAt = placed.filter((m) => m.inserted).map((m) => m.offset);
  return placed.map(({ rule, message, pattern, line, column, inserted, offset }) => {
    const above = insertedAt.filter((o) => o < offset).length;
    return { rule, message, pattern, line: line + above, column, inserted };
  });
}
