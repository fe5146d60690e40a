import type { Node } from 'ts-morph';
import type { RuleId } from '../../src/rules/rules.js';
import { lineStart, removalStart } from '../shared/statement-comments.js';

/**
 * Edits expressed as ranges of the current file text, computed from AST nodes and applied in one pass.
 * Range edits keep every byte outside the touched statements (formatting, comments) exactly as written,
 * which ts-morph's structural edits do not always do. Marker requests ride along so they can be placed on
 * the final tree (the engine inserts marker comments after the transform returns).
 */

/** A marker to place once all edits are done, at an offset of the current text. */
export interface MarkerRequest {
  pos: number;
  rule: RuleId;
  message: string;
  /** `info`: a note for the report only, no comment in the code. */
  level?: 'info';
}

interface Edit {
  start: number;
  end: number;
  text: string;
  /** Markers inside `text`, by offset into it. */
  markers: Array<{ offset: number; rule: RuleId; message: string }>;
}

export class TextEdits {
  private readonly edits: Edit[] = [];

  constructor(readonly text: string) {}

  get size(): number {
    return this.edits.length;
  }

  replace(start: number, end: number, text: string, markers: Edit['markers'] = []): void {
    for (const edit of this.edits) {
      const overlaps = start < edit.end && edit.start < end;
      const samePoint = start === end && edit.start === edit.end && start === edit.start;
      if (overlaps || samePoint) throw new Error(`overlapping edits at ${start}-${end} and ${edit.start}-${edit.end}`);
    }
    this.edits.push({ start, end, text, markers });
  }

  /** Replace a node's own text (no surrounding trivia). */
  replaceNode(node: Node, text: string, markers: Edit['markers'] = []): void {
    this.replace(node.getStart(), node.getEnd(), text, markers);
  }

  /** Remove whole statements (one run of adjacent ones) with their own comments and lines, then tidy blank lines. */
  removeRun(statements: readonly Node[]): void {
    const [start, end] = runRange(this.text, statements);
    const [s, e] = tidyBlankLines(this.text, start, end);
    this.replace(s, e, '');
  }

  /** Replace a run of adjacent statements with new lines (`text` ends without a newline; one is added). */
  replaceRun(statements: readonly Node[], text: string, markers: Edit['markers'] = []): void {
    const [start, end] = runRange(this.text, statements);
    this.replace(start, end, `${text}\n`, markers);
  }

  /** Apply every edit; returns the new text and the markers (pending ones mapped, dropped when their spot was removed). */
  apply(pending: readonly MarkerRequest[] = []): { text: string; markers: MarkerRequest[] } {
    const sorted = [...this.edits].sort((a, b) => a.start - b.start);
    let out = '';
    let cursor = 0;
    const placed: MarkerRequest[] = [];
    const starts: Array<{ old: number; oldEnd: number; delta: number }> = [];
    let delta = 0;
    for (const edit of sorted) {
      out += this.text.slice(cursor, edit.start);
      const at = out.length;
      out += edit.text;
      for (const marker of edit.markers) placed.push({ pos: at + marker.offset, rule: marker.rule, message: marker.message });
      delta += edit.text.length - (edit.end - edit.start);
      starts.push({ old: edit.start, oldEnd: edit.end, delta });
      cursor = edit.end;
    }
    out += this.text.slice(cursor);
    for (const marker of pending) {
      const mapped = mapOffset(marker.pos, starts);
      if (mapped !== undefined) placed.push({ ...marker, pos: mapped });
    }
    return { text: out, markers: placed };
  }
}

function mapOffset(pos: number, edits: ReadonlyArray<{ old: number; oldEnd: number; delta: number }>): number | undefined {
  let delta = 0;
  for (const edit of edits) {
    if (pos < edit.old) break;
    if (pos < edit.oldEnd) return undefined;
    delta = edit.delta;
  }
  return pos + delta;
}

/** From the first own-line comment attached to the first statement to the end of the last statement's line. */
function runRange(text: string, statements: readonly Node[]): [number, number] {
  const first = statements[0];
  const last = statements[statements.length - 1];
  if (!first || !last) throw new Error('empty statement run');
  const start = removalStart(text, first);
  let end = last.getEnd();
  const rest = /^[ \t]*(\/\/[^\n]*)?\r?\n/.exec(text.slice(end));
  if (rest) end += rest[0].length;
  return [start, end];
}

/** Avoid leaving two blank lines together, or a blank line right inside a block's braces. */
function tidyBlankLines(text: string, start: number, end: number): [number, number] {
  const blankBefore = start >= 1 && /\n[ \t]*\n$/.test(text.slice(Math.max(0, start - 200), start));
  const afterMatch = /^[ \t]*\r?\n/.exec(text.slice(end));
  const blankAfter = afterMatch !== null && start === lineStart(text, start);
  const openBefore = /\{[ \t]*\n$/.test(text.slice(Math.max(0, start - 200), start));
  const closeAfter = /^[ \t]*\}/.test(text.slice(end));
  if ((blankBefore || openBefore || start === 0) && blankAfter && afterMatch) return [start, end + afterMatch[0].length];
  if (blankBefore && closeAfter) {
    const previousLine = lineStart(text, start - 1);
    return [previousLine, end];
  }
  return [start, end];
}

/** Group statements (in source order) into runs whose members are separated only by whitespace and comments. */
export function adjacentRuns(statements: readonly Node[], siblings: readonly Node[]): Node[][] {
  const chosen = new Set(statements.map((s) => s.compilerNode));
  const runs: Node[][] = [];
  let current: Node[] = [];
  for (const sibling of siblings) {
    if (chosen.has(sibling.compilerNode)) current.push(sibling);
    else if (current.length > 0) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** Where a statement's own text begins, counting the comments directly above it. */
export function statementStart(text: string, statement: Node): number {
  return runRange(text, [statement])[0];
}

/** What happens to a statement: it goes, or new lines take its place. */
export type StatementAction = { kind: 'remove' } | { kind: 'replace'; text: string; markers?: Array<{ offset: number; rule: RuleId; message: string }> };

/**
 * Apply statement actions block by block: adjacent statements with actions form one run, replaced by the
 * concatenated replacement texts (or removed when none of them has one).
 */
export function applyStatementActions(edits: TextEdits, actions: ReadonlyMap<unknown, { node: Node; action: StatementAction }>): void {
  const byParent = new Map<unknown, Node[]>();
  for (const { node } of actions.values()) {
    const parent = node.getParentOrThrow();
    byParent.set(parent.compilerNode, [...(byParent.get(parent.compilerNode) ?? []), node]);
  }
  for (const nodes of byParent.values()) {
    const parent = nodes[0]?.getParentOrThrow();
    if (!parent) continue;
    const siblings = 'getStatements' in parent ? (parent as unknown as { getStatements(): Node[] }).getStatements() : nodes;
    for (const run of adjacentRuns(nodes, siblings)) {
      const replacements = run.map((n) => actions.get(n.compilerNode)?.action).filter((a): a is Extract<StatementAction, { kind: 'replace' }> => a?.kind === 'replace');
      if (replacements.length === 0) {
        edits.removeRun(run);
        continue;
      }
      let text = '';
      const markers: Array<{ offset: number; rule: RuleId; message: string }> = [];
      let previous: Node | undefined;
      for (const node of run) {
        const replacement = actions.get(node.compilerNode)?.action;
        if (replacement?.kind !== 'replace') continue;
        // Keep the author's blank line between two statements that both get new text.
        if (previous) text += /\n[ \t]*\n/.test(edits.text.slice(previous.getEnd(), statementStart(edits.text, node))) ? '\n\n' : '\n';
        for (const marker of replacement.markers ?? []) markers.push({ ...marker, offset: marker.offset + text.length });
        text += replacement.text;
        previous = node;
      }
      edits.replaceRun(run, text, markers);
    }
  }
}
