import type { Project, SourceFile } from 'ts-morph';
import type { StarterDecisions } from './starters.js';
import type { Style } from './style.js';
import type { ExistingFile } from './own-transport.js';
import type { ProjectFacts } from '../../src/engine/project-facts.js';
import { TextEdits, type MarkerRequest } from './text-edits.js';

/** Options of the stateless-transport transform, resolved. */
export interface TransportOptions {
  /** `auto`: follow the file's SDK line; `v2`: write v2 serving entries into v1 files too. */
  output: 'auto' | 'v2';
  /** Path of the Streamable HTTP endpoint that replaces an HTTP+SSE pair. */
  path: string;
}

/** What one phase (HTTP entries, stdio) sees. */
export interface PhaseInput {
  file: SourceFile;
  project: Project;
  options: TransportOptions;
  style: Style;
  /** The SDK releases the project uses: a rewrite must not need a transport its release lacks. */
  facts: ProjectFacts;
  /** Which starters' server parameters may become factories, as `prepare` decided for the whole group. */
  starters?: StarterDecisions;
  /** Text of a root-relative file that exists ('' when unreadable), undefined when none does: where a generated module may go. */
  existing?: ExistingFile;
}

/** What a phase decided: edits to apply, markers to leave, and follow-up clean-up. */
export interface PhaseOutput {
  edits: TextEdits;
  /** Markers at offsets of the text the edits apply to. */
  markers: MarkerRequest[];
  /** Names the rewrite stopped using: their imports and side-effect-free declarations may now be dead. */
  candidates: Set<string>;
  imports: Array<{ module: string; name: string }>;
  /** Modules to write into the project (root-relative path and text). */
  emit?: Array<{ path: string; content: string }>;
}

/** A phase outcome that changes nothing but leaves markers. */
export function blocked(file: SourceFile, markers: PhaseOutput['markers']): PhaseOutput {
  return { edits: new TextEdits(file.getFullText()), markers, candidates: new Set(), imports: [] };
}
