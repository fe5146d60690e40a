import { Node } from 'ts-morph';
import { lineStart, removalStart } from '../shared/statement-comments.js';
import { TextEdits as SharedTextEdits, type MarkerInText } from '../shared/text-edits.js';

export type { MarkerRequest } from '../shared/text-edits.js';

/**
 * The transport transform's edits: the shared edit layer (../shared/text-edits.ts) with removal and
 * replacement of runs of adjacent statements, which keep the author's comments and blank lines tidy.
 */
export class TextEdits extends SharedTextEdits {
  /** Remove whole statements (one run of adjacent ones) with their own comments and lines, then tidy blank lines. */
  removeRun(statements: readonly Node[], markers: readonly MarkerInText[] = []): void {
    const [start, end] = runRange(this.text, statements);
    const [s, e] = tidyBlankLines(this.text, start, end);
    this.replace(s, e, '', markers);
  }

  /** Replace a run of adjacent statements with new lines (`text` ends without a newline; one is added). */
  replaceRun(statements: readonly Node[], text: string, markers: readonly MarkerInText[] = []): void {
    const [start, end] = runRange(this.text, statements);
    this.replace(start, end, `${text}\n`, markers);
  }
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
export type StatementAction = { kind: 'remove' } | { kind: 'replace'; text: string; markers?: MarkerInText[] };

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
    // Class members are siblings too: two removed members with others between them are two runs, not one.
    const siblings = 'getStatements' in parent ? (parent as unknown as { getStatements(): Node[] }).getStatements() : Node.isClassDeclaration(parent) || Node.isClassExpression(parent) ? parent.getMembers() : nodes;
    for (const run of adjacentRuns(nodes, siblings)) {
      const replacements = run.map((n) => actions.get(n.compilerNode)?.action).filter((a): a is Extract<StatementAction, { kind: 'replace' }> => a?.kind === 'replace');
      if (replacements.length === 0) {
        edits.removeRun(run);
        continue;
      }
      let text = '';
      const markers: MarkerInText[] = [];
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
