import type { SourceFile } from 'ts-morph';
import { setPathAliases } from './module-paths.js';
import { analyzeProject } from '../analysis/index.js';
import { detectFindings } from '../audit/detectors.js';
import { fileError, todo, type Diagnostic } from './diagnostics.js';
import { applyMarkers, anchorOf, type PendingMarker } from './markers.js';
import { TODO_MARKER } from '../rules/rules.js';
import { createMemoryProject, projectPath, relativeOf, replaceFileText, syntaxErrors } from './parse.js';
import type { OptionValues, Transform, TransformContext } from './transform.js';
import { detectSdkLine } from './sdk-detect.js';
import type { SdkLine } from '../rules/sdk.js';
import type { SdkFeature } from '../rules/sdk-features.js';
import { readTextIfPresent } from './disk.js';
import { join } from 'node:path';
import { UNKNOWN_PROJECT, type ProjectFacts } from './project-facts.js';
import { supportsFeature } from '../rules/sdk-features.js';

/** Root-relative path → file text. */
export type FileMap = Readonly<Record<string, string>>;

export interface TransformFilesOptions {
  transforms: readonly Transform[];
  /** Per-transform option values (by transform id); defaults come from the transform's own option table. */
  options?: Readonly<Record<string, OptionValues>>;
  /**
   * Root-relative paths that exist in the project but are not in `files`, so `fileExists` can see them.
   * Whether an emitted file may replace one of them is decided by the caller, which can read the disk.
   */
  existingPaths?: ReadonlySet<string>;
  /** Also return each transform's output (see `TransformFilesResult.steps`), for per-transform commits and review. */
  recordSteps?: boolean;
  /**
   * Leave the group untouched when the audit finds no session dependence in it, so `migrate --check` and
   * `audit --check` agree on a sessionless server (no serveStdio move, no cache hint, no marker there).
   */
  onlyWithFindings?: boolean;
  /** The project folder on disk, so transforms can read an existing file outside the group (none in memory-only runs). */
  root?: string;
  /** What the project on disk says about itself (the SDK release it pins); unknown when absent. */
  facts?: ProjectFacts;
}

/** What one transform left in the files it changed or emitted: their whole text right after it ran. */
export interface TransformStep {
  transform: string;
  files: Record<string, string>;
}

export interface TransformFilesResult {
  /** Files whose text changed, and files transforms emitted, with their new text. */
  changed: Record<string, string>;
  /** The subset of `changed` that transforms emitted whole (not edits of an input file). */
  emitted: string[];
  diagnostics: Diagnostic[];
  /** Which transforms changed which files (for the summary). */
  applied: Array<{ file: string; transform: string }>;
  /** With `recordSteps`: one entry per transform that changed something, in the order they ran. */
  steps?: TransformStep[];
}

export function resolveOptions(transform: Transform, given: OptionValues | undefined): OptionValues {
  const values: Record<string, string | boolean> = {};
  for (const option of transform.options ?? []) values[option.name] = given?.[option.name] ?? option.default;
  return values;
}

/**
 * Run transforms over a set of connected files held in memory. This is the single path every caller uses:
 * the CLI (directly or in a worker), the library API and the fixture tests. Nothing here touches disk.
 *
 * Each file is all-or-nothing per transform: if a transform throws, that file goes back to the text it had
 * before the transform ran, the error is recorded, and the run carries on with the next file.
 */
export function transformFiles(files: FileMap, settings: TransformFilesOptions): TransformFilesResult {
  const project = createMemoryProject();
  setPathAliases(project, settings.facts?.aliases ?? []);
  const diagnostics: Diagnostic[] = [];
  const original = new Map<string, string>();
  const emitted = new Map<string, { text: string; by: string }>();
  const applied: TransformFilesResult['applied'] = [];
  const sources: SourceFile[] = [];
  const steps: TransformStep[] = [];

  for (const [relPath, text] of Object.entries(files)) {
    const file = project.createSourceFile(projectPath(relPath), text, { overwrite: true });
    const errors = syntaxErrors(file);
    if (errors.length > 0) {
      diagnostics.push(fileError(relPath, 'parse-error', `cannot parse: ${errors[0]}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`));
      project.removeSourceFile(file);
      continue;
    }
    original.set(relPath, text);
    sources.push(file);
  }

  // A group the audit finds clean is left alone, except for what the audit has no finding for: a list filtered
  // by credentials must still say `cacheScope: 'private'` (SL010).
  const clean = settings.onlyWithFindings === true && detectFindings(analyzeProject(project, { files: sources })).length === 0;

  const fileExists = (relPath: string) =>
    original.has(relPath) || emitted.has(relPath) || (settings.existingPaths?.has(relPath) ?? false);
  const readExisting = (relPath: string): string | undefined =>
    original.get(relPath) ?? (settings.root && settings.existingPaths?.has(relPath) ? readTextIfPresent(join(settings.root, relPath)) : undefined);
  const facts = settings.facts ?? UNKNOWN_PROJECT;
  const supports = (line: SdkLine | undefined, feature: SdkFeature) => supportsFeature(facts.sdks, line, feature);

  for (const transform of settings.transforms) {
    if (clean && !transform.rules.includes('SL010')) continue;
    const options = resolveOptions(transform, settings.options?.[transform.id]);
    // The vocabulary decides whether a transform runs on a group at all. A transform that plans the group
    // (prepare) then visits every file, since its edits can land in files without the vocabulary (a state
    // module imported by the handlers); one without a plan visits only the files that match.
    const matching = sources.filter((file) => transform.vocabulary.test(file.getFullText()));
    if (matching.length === 0) continue;
    const targets = transform.prepare ? sources : matching;
    let plan: unknown;
    try {
      plan = transform.prepare?.({ project, files: sources.map(relativeOf), options, fileExists, readExisting, facts, supports });
    } catch (error) {
      // Nothing was edited yet: report the failure on the files that called for the transform, and skip it.
      for (const file of matching) {
        diagnostics.push({ ...fileError(relativeOf(file), 'transform-error', `${transform.id} failed while planning: ${messageOf(error)}`), transform: transform.id });
      }
      continue;
    }
    for (const file of targets) {
      const relPath = relativeOf(file);
      const before = file.getFullText();
      const pending: PendingMarker[] = [];
      const pendingEmits = new Map<string, { text: string; by: string }>();
      const local: Diagnostic[] = [];
      const sdk = detectSdkLine(file);
      const context: TransformContext = {
        file,
        relPath,
        project,
        sdk,
        options,
        plan,
        report: (d) => local.push({ ...d, file: relPath, transform: transform.id }),
        addMarker: (node, rule, message, pattern) => pending.push({ anchor: anchorOf(node), rule, message, pattern }),
        // Held back until the transform succeeds on this file, so a rollback also drops what it emitted.
        emitFile: (path, text) => {
          const prior = emitted.get(path) ?? pendingEmits.get(path);
          if (prior && prior.text !== text) {
            local.push({ ...fileError(path, 'conflict', `${transform.id} and ${prior.by} write different contents to ${path}`), transform: transform.id });
            return;
          }
          pendingEmits.set(path, { text, by: transform.id });
        },
        fileExists,
        readExisting: (path) => pendingEmits.get(path)?.text ?? emitted.get(path)?.text ?? readExisting(path),
        facts,
        supports: (feature) => supports(sdk, feature),
      };
      try {
        transform.apply(context);
        for (const marker of applyMarkers(file, pending)) {
          if (marker.inserted) local.push(todo(relPath, marker, marker.rule, marker.message, transform.id, marker.pattern));
        }
        diagnostics.push(...local);
        for (const [path, emit] of pendingEmits) emitted.set(path, emit);
        if (file.getFullText() !== before) applied.push({ file: relPath, transform: transform.id });
      } catch (error) {
        replaceFileText(file, before);
        diagnostics.push({
          ...fileError(relPath, 'transform-error', `${transform.id} failed: ${messageOf(error)}`),
          transform: transform.id,
        });
      }
    }
    if (settings.recordSteps) {
      const step = stepOf(transform.id, sources, applied, emitted);
      if (Object.keys(step.files).length > 0) steps.push(step);
    }
  }

  // A later transform may resolve what an earlier one marked (and remove its marker): report only the
  // markers still in the code.
  const finalText = new Map(sources.map((file) => [relativeOf(file), file.getFullText()]));
  const stillMarked = (d: Diagnostic) => !d.message.startsWith(TODO_MARKER) || (finalText.get(d.file)?.includes(`// ${d.message.replace(/\s*\n\s*/g, ' ')}`) ?? true);
  const kept = diagnostics.filter(stillMarked);
  diagnostics.length = 0;
  diagnostics.push(...kept);

  const changed: Record<string, string> = {};
  const emittedPaths: string[] = [];
  for (const file of sources) {
    const relPath = relativeOf(file);
    const text = file.getFullText();
    if (text !== original.get(relPath)) changed[relPath] = text;
  }
  for (const [path, { text, by }] of emitted) {
    const current = changed[path] ?? original.get(path);
    if (current === text) continue;
    if (current !== undefined) {
      diagnostics.push({ ...fileError(path, 'conflict', `refusing to overwrite ${path}, which the project already has`), transform: by });
      continue;
    }
    changed[path] = text;
    emittedPaths.push(path);
  }
  return settings.recordSteps ? { changed, emitted: emittedPaths, diagnostics, applied, steps } : { changed, emitted: emittedPaths, diagnostics, applied };
}

/** The texts a transform just produced: the files it changed, and the files it emitted. */
function stepOf(
  id: string,
  sources: readonly SourceFile[],
  applied: TransformFilesResult['applied'],
  emitted: ReadonlyMap<string, { text: string; by: string }>,
): TransformStep {
  const touched = new Set(applied.filter((a) => a.transform === id).map((a) => a.file));
  const files: Record<string, string> = {};
  for (const file of sources) if (touched.has(relativeOf(file))) files[relativeOf(file)] = file.getFullText();
  for (const [path, emit] of emitted) if (emit.by === id) files[path] = emit.text;
  return { transform: id, files };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
