/**
 * Which transform wrote which part of a file's final diff. The run keeps each transform's output (the steps);
 * each step's changed lines are mapped back to the original's line numbers through the steps before it, and a
 * hunk of the final diff belongs to every step whose changes overlap it. Formatting is the last step.
 */
import { diffLines } from 'diff';

/** A change between two texts: lines [start, end) of the older replaced by lines [start, end) of the newer (0-based). */
interface Region {
  old: { start: number; end: number };
  neu: { start: number; end: number };
}

/** The author of one version of a file: a transform id, or `format` for the project's formatter. */
export interface Version {
  by: string;
  text: string;
}

/** For each author, the ranges of the original's lines (0-based, [start, end)) it changed. */
export type Footprint = Map<string, Array<{ start: number; end: number }>>;

export function footprintOf(original: string, versions: readonly Version[]): Footprint {
  const footprint: Footprint = new Map();
  const earlier: Region[][] = [];
  let previous = original;
  for (const version of versions) {
    if (version.text === previous) continue;
    const regions = regionsBetween(previous, version.text);
    const mapped = regions.map((region) => earlier.reduceRight((range, step) => mapToOlder(range, step), region.old));
    footprint.set(version.by, [...(footprint.get(version.by) ?? []), ...mapped]);
    earlier.push(regions);
    previous = version.text;
  }
  return footprint;
}

/** The authors whose changes overlap [start, end) of the original (touching counts, for pure insertions). */
export function authorsOf(footprint: Footprint, range: { start: number; end: number }): string[] {
  const out: string[] = [];
  for (const [by, ranges] of footprint) {
    if (ranges.some((r) => r.start <= range.end && r.end >= range.start)) out.push(by);
  }
  return out;
}

function regionsBetween(older: string, newer: string): Region[] {
  const regions: Region[] = [];
  let oldLine = 0;
  let newLine = 0;
  let open: Region | undefined;
  for (const part of diffLines(older, newer)) {
    const count = part.count ?? 0;
    if (!part.added && !part.removed) {
      if (open) regions.push(open);
      open = undefined;
      oldLine += count;
      newLine += count;
      continue;
    }
    open ??= { old: { start: oldLine, end: oldLine }, neu: { start: newLine, end: newLine } };
    if (part.removed) {
      oldLine += count;
      open.old.end = oldLine;
    } else {
      newLine += count;
      open.neu.end = newLine;
    }
  }
  if (open) regions.push(open);
  return regions;
}

/** A range of the newer text's lines, as lines of the older one: inside a change it widens to the whole change. */
function mapToOlder(range: { start: number; end: number }, regions: readonly Region[]): { start: number; end: number } {
  return { start: mapBoundary(range.start, regions, 'start'), end: mapBoundary(range.end, regions, 'end') };
}

function mapBoundary(position: number, regions: readonly Region[], side: 'start' | 'end'): number {
  let shift = 0;
  for (const region of regions) {
    if (position <= region.neu.start) break;
    if (position < region.neu.end) return side === 'start' ? region.old.start : region.old.end;
    shift = region.old.end - region.neu.end;
  }
  return position + shift;
}
