import type { Node, SourceFile } from 'ts-morph';
import type { TransformContext } from '../../src/engine/transform.js';
import type { RuleId } from '../../src/rules/rules.js';
import { applySplices, importSplice, type Splice } from './edit.js';

/** A marker to place on the settled tree, found again by `locate` because edits replace node wrappers. */
export interface DeferredMarker {
  rule: RuleId;
  message: string;
  locate: (file: SourceFile) => Node | undefined;
}

/** One self-contained rewrite: splices against the current text, then the imports it needs. */
export interface Edit {
  /** What it does, for errors. */
  what: string;
  splices: Splice[];
  imports?: Array<{ module: string; name: string; typeOnly?: boolean }>;
  markers?: DeferredMarker[];
  /** What the rewrite changes that a reader of the diff should know (reported as info, once per file, where it first applies). */
  note?: { rule: RuleId; message: string };
}

/** Something automation cannot decide: one marker on the current tree. */
export interface Mark {
  node: Node;
  rule: RuleId;
  message: string;
}

export interface Findings {
  edits: Edit[];
  marks: Mark[];
}

export const noFindings = (): Findings => ({ edits: [], marks: [] });

export function merge(...all: Findings[]): Findings {
  return { edits: all.flatMap((f) => f.edits), marks: all.flatMap((f) => f.marks) };
}

/** Enough for any real file; a file that needs more means an edit failed to remove what it matched. */
const MAX_ROUNDS = 200;

/**
 * Analyse, apply the first edit, analyse again, until nothing is left to rewrite; then place markers on
 * what remains. One edit per round keeps every analysis on a consistent tree, and markers come last so
 * no later edit can move them. Each edit must remove the construct it matched, which bounds the loop.
 */
export function settle(context: TransformContext, analyse: (file: SourceFile) => Findings): void {
  const { file } = context;
  const deferred: DeferredMarker[] = [];
  const notes = new Map<string, { rule: RuleId; line: number; column: number }>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const { edits, marks } = analyse(file);
    const edit = edits[0];
    if (!edit) {
      for (const mark of marks) context.addMarker(mark.node, mark.rule, mark.message);
      for (const marker of deferred) {
        const node = marker.locate(file);
        if (node) context.addMarker(node, marker.rule, marker.message);
      }
      for (const [message, at] of notes) context.report({ level: 'info', message, ...at });
      return;
    }
    if (edit.note && !notes.has(edit.note.message) && edit.splices[0]) {
      const { line, column } = file.getLineAndColumnAtPos(edit.splices[0].start);
      notes.set(edit.note.message, { rule: edit.note.rule, line, column });
    }
    applySplices(file, edit.splices);
    for (const need of edit.imports ?? []) {
      const splice = importSplice(file, need.module, need.name, need.typeOnly);
      if (splice) applySplices(file, [splice]);
    }
    deferred.push(...(edit.markers ?? []));
  }
  throw new Error(`edits did not settle after ${MAX_ROUNDS} rounds`);
}
