/**
 * What an interactive review walks through: the pending changes cut into hunks, each with the transforms that
 * wrote it, their rules and the reason, and grouped into units. A unit of several files must be taken whole:
 * a file importing a module the run creates, or files one cross-file transform planned together, break if
 * only some of them change.
 */
import { localImports } from '../engine/components.js';
import type { Diagnostic } from '../engine/diagnostics.js';
import type { PendingChanges } from '../engine/migrate.js';
import type { Transform } from '../engine/transform.js';
import type { FileChange } from '../engine/vfs.js';
import { TODO_MARKER } from '../rules/rules.js';
import { authorsOf, footprintOf, type Version } from './attribution.js';
import { hunksOf, type Hunk } from './hunks.js';
import { markerOfLine } from './markers.js';

/** The author name of changes the project's formatter made after the transforms. */
export const FORMATTER = 'format';

export interface ReviewHunk extends Hunk {
  /** Transforms that wrote this hunk (or `format`). */
  transforms: string[];
  rules: string[];
  /** Why: the transforms' own notes about this place, the markers it adds, or the transform's title. */
  reasons: string[];
}

export interface ReviewFile {
  change: FileChange;
  hunks: ReviewHunk[];
}

export interface ReviewUnit {
  files: ReviewFile[];
  /** Why these files are one unit (empty for a file reviewed on its own, hunk by hunk). */
  together: string[];
}

export function planReview(pending: PendingChanges, registry: readonly Transform[]): ReviewUnit[] {
  const files = pending.changes.map((change) => reviewFile(change, pending, registry));
  return unitsOf(files, pending, registry);
}

function versionsOf(change: FileChange, pending: PendingChanges): Version[] {
  const versions: Version[] = [];
  for (const step of pending.steps ?? []) {
    const text = step.files[change.path];
    if (text !== undefined) versions.push({ by: step.transform, text });
  }
  versions.push({ by: FORMATTER, text: change.after });
  return versions;
}

function reviewFile(change: FileChange, pending: PendingChanges, registry: readonly Transform[]): ReviewFile {
  const footprint = footprintOf(change.before ?? '', versionsOf(change, pending));
  const notes = pending.diagnostics.filter((d) => d.file === change.path && d.transform && !d.message.startsWith(TODO_MARKER) && d.level !== 'error');
  const placed = new Set<Diagnostic>();
  const hunks: ReviewHunk[] = hunksOf(change).map((hunk) => {
    const authors = authorsOf(footprint, hunk.changedOld);
    const transforms = authors.length > 0 ? authors : change.transforms.length > 0 ? [...change.transforms] : [FORMATTER];
    // The transforms' notes on a line the hunk changes, and the markers the hunk adds, say why.
    const near = notes.filter((d) => transforms.includes(d.transform ?? '') && (within(d.line, hunk.changedNew) || within(d.line, hunk.changedOld)));
    for (const d of near) placed.add(d);
    const markers = hunk.lines.filter((l) => l.startsWith('+')).flatMap((l) => markerOfLine(l) ?? []);
    return {
      ...hunk,
      transforms,
      rules: [...new Set([...near.map((d) => String(d.rule)), ...markers.map((m) => m.rule)])],
      reasons: [...near.map((d) => d.message), ...markers.map((m) => `leaves a marker: ${m.message}`)],
    };
  });
  // A note the transform made about the file but not about a line the diff shows goes with its first hunk.
  for (const note of notes.filter((d) => !placed.has(d))) {
    const first = hunks.find((h) => h.transforms.includes(note.transform ?? ''));
    if (!first) continue;
    first.reasons.push(note.message);
    if (!first.rules.includes(String(note.rule))) first.rules.push(String(note.rule));
  }
  // Otherwise the transform's own rules and title.
  for (const hunk of hunks) {
    const own = hunk.transforms.map((id) => registry.find((t) => t.id === id)).filter((t): t is Transform => t !== undefined);
    if (hunk.rules.length === 0) hunk.rules = [...new Set(own.flatMap((t) => t.rules))];
    if (hunk.reasons.length === 0) hunk.reasons = own.length > 0 ? own.map((t) => t.title) : ["the project's formatter"];
  }
  return { change, hunks };
}

/** Diagnostic lines are 1-based; ranges are 0-based line ranges. A line just around a change counts. */
function within(line: number, range: { start: number; end: number }): boolean {
  return line > 0 && line - 1 >= range.start - 1 && line - 1 <= range.end;
}

function unitsOf(files: readonly ReviewFile[], pending: PendingChanges, registry: readonly Transform[]): ReviewUnit[] {
  const paths = new Set(files.map((f) => f.change.path));
  const parent = new Map([...paths].map((p) => [p, p]));
  const find = (p: string): string => (parent.get(p) === p ? p : find(parent.get(p) ?? p));
  const reasons: Array<{ paths: string[]; why: string }> = [];
  const join = (a: string, b: string, why: string) => {
    parent.set(find(a), find(b));
    reasons.push({ paths: [a, b], why });
  };

  const created = new Set(files.filter((f) => f.change.before === undefined).map((f) => f.change.path));
  const links = new Map<string, string[]>();
  for (const { change } of files) {
    const imported = new Set([...localImports(change.path, change.after, paths), ...localImports(change.path, change.before ?? '', paths)]);
    links.set(change.path, [...imported]);
    for (const target of imported) if (created.has(target)) join(change.path, target, `${change.path} imports ${target}, which this run creates`);
  }

  // Files a transform planned across the group (it has a prepare step) change together when they import each other.
  for (const step of pending.steps ?? []) {
    const transform = registry.find((t) => t.id === step.transform);
    if (!transform?.prepare) continue;
    const changedByStep = Object.keys(step.files).filter((p) => paths.has(p) && !markersOnly(step.transform, p, pending));
    const set = new Set(changedByStep);
    for (const path of changedByStep) {
      for (const target of links.get(path) ?? []) {
        if (set.has(target) && find(path) !== find(target)) join(path, target, `${step.transform} changed ${path} and ${target} together`);
      }
    }
  }

  const units = new Map<string, ReviewUnit>();
  for (const file of files) {
    const root = find(file.change.path);
    const unit = units.get(root) ?? { files: [], together: [] };
    unit.files.push(file);
    units.set(root, unit);
  }
  for (const reason of reasons) {
    const unit = units.get(find(reason.paths[0] ?? ''));
    if (unit && !unit.together.includes(reason.why)) unit.together.push(reason.why);
  }
  return [...units.values()];
}

/** Whether a transform's change to a file only added marker comments (which never tie files together). */
function markersOnly(transform: string, path: string, pending: PendingChanges): boolean {
  const steps = pending.steps ?? [];
  const index = steps.findIndex((s) => s.transform === transform);
  const after = steps[index]?.files[path];
  if (after === undefined) return false;
  const before = steps.slice(0, index).reverse().find((s) => s.files[path] !== undefined)?.files[path] ?? pending.changes.find((c) => c.path === path)?.before ?? '';
  const kept = new Set(before.split('\n'));
  const added = after.split('\n').filter((line) => !kept.has(line));
  return after.split('\n').length - before.split('\n').length === added.length && added.every((line) => line.includes(TODO_MARKER));
}
