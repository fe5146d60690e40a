import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileError, type Diagnostic } from './diagnostics.js';
import { discoverFiles } from './discover.js';
import { flushToDisk, readSources, readTextIfPresent, type SourceFormat } from './disk.js';
import { groupByImports } from './components.js';
import { readPathAliases } from './module-paths.js';
import { isClientGroup, splitTests } from './scope.js';
import { staleTests } from './stale-tests.js';
import { findProjectFormatter, formatText } from './formatters.js';
import { workTreeState } from './git.js';
import { RunError } from './errors.js';
import { resolveOptions, transformFiles, type TransformFilesResult, type TransformStep } from './run-transforms.js';
import { selectTransforms, type TransformRegistry } from './registry.js';
import { mergeSteps } from './transform-steps.js';
import type { TransformJob } from './transform-job.js';
import type { OptionValues, Transform } from './transform.js';
import { VirtualTree, type FileChange } from './vfs.js';
import { runInWorkers } from './worker-pool.js';
import { readProjectFacts, type ProjectFacts } from './project-facts.js';
import { runTypecheckGate, skippedGate, type TypecheckGateResult } from './typecheck-gate.js';

export interface MigrateOptions {
  /** A project folder or a single file. */
  path: string;
  include?: readonly string[];
  exclude?: readonly string[];
  /** Also migrate tests, fixtures and MCP client code (left alone by default, like the audit leaves them out). */
  includeTests?: boolean;
  /** Transform ids to run (registry order is kept); all when empty. */
  transforms?: readonly string[];
  /** Option values by transform id, e.g. `{ 'session-state-to-handles': { store: 'redis' } }`. */
  transformOptions?: Readonly<Record<string, OptionValues>>;
  /** Flush the virtual tree to disk. Default false: a dry run. */
  write?: boolean;
  /** With `write`, proceed even when the git work tree has uncommitted changes. */
  allowDirty?: boolean;
  /** Run the project's own Prettier/Biome over changed files (default true). */
  format?: boolean;
  /** Worker threads for large trees: a number, or 'auto' (default) which uses them only when it pays off. */
  workers?: number | 'auto';
  onProgress?: (progress: MigrateProgress) => void;
  /** The transforms this run may apply (the library's `migrate` passes the built-in ones). */
  registry: TransformRegistry;
  /** Also return each transform's output (`MigrateResult.steps`), for per-transform commits and review. */
  recordSteps?: boolean;
  /**
   * With `write`: choose which of the pending changes to write (an interactive review). It runs after the
   * dirty-tree guard and formatting, and what it returns goes through the same disk sink as a plain write.
   */
  selectChanges?: (pending: PendingChanges) => Promise<FileChange[]>;
  /**
   * Type-check the changed project in memory before writing (default true): a group whose changes introduce type
   * errors is not written (see typecheck-gate.ts). Dry runs check too, so they say what a write would hold back.
   */
  typecheck?: boolean;
  /** With `write`: write groups the type-check gate holds back anyway (their errors are still reported, as warnings). */
  forceWrite?: boolean;
}

/** What a run would write, handed to `selectChanges` before anything touches disk. */
export interface PendingChanges {
  root: string;
  changes: FileChange[];
  diagnostics: readonly Diagnostic[];
  steps?: TransformStep[];
}

export interface MigrateProgress {
  phase: 'discover' | 'transform' | 'format' | 'typecheck' | 'write';
  done: number;
  total: number;
}

export interface MigrateStats {
  /** Source files found under the path. */
  discovered: number;
  /** Files that passed the text pre-filter, plus the files they import: the only ones parsed. */
  parsed: number;
  /** Independent groups of connected files. */
  groups: number;
  /** Files left out because they are tests or MCP client code (none with `includeTests`). */
  excluded: { tests: number; client: number };
  changed: number;
  workers: number;
  durationMs: number;
}

export interface MigrateResult {
  root: string;
  changes: FileChange[];
  diagnostics: Diagnostic[];
  stats: MigrateStats;
  /** Paths written to disk (empty on a dry run). */
  written: string[];
  formatter?: string;
  /** With `recordSteps`: what each transform produced, in run order, before formatting (see transform-steps.ts). */
  steps?: TransformStep[];
  /** What the type-check gate found: which groups it held back (not written, unless `forceWrite`), or why it did not check. */
  typecheck: TypecheckGateResult;
}

/** Below this many files to parse, starting worker threads costs more than it saves. */
const WORKER_THRESHOLD = 400;

/**
 * Migrate a project: discover, pre-filter, group connected files, transform each group (in worker threads on
 * large trees), collect everything in a virtual tree, format, and — only with `write` — flush to disk.
 * Dry run and write share every step but the last.
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const started = performance.now();
  const target = resolve(options.path);
  if (!existsSync(target)) throw new RunError('missing-path', `path not found: ${options.path}`);
  const isFile = statSync(target).isFile();
  const root = isFile ? dirname(target) : target;

  const registry = options.registry.transforms;
  const { selected, unknown } = selectTransforms(options.transforms, registry);
  if (unknown.length > 0) {
    throw new RunError('unknown-transform', `unknown transform${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, [
      `available: ${registry.map((t) => t.id).join(', ') || '(none)'}`,
    ]);
  }
  const transformOptions = validateOptions(selected, options.transformOptions ?? {});

  if (options.write && !options.allowDirty) {
    const state = await workTreeState(root);
    if (state.kind === 'dirty') {
      throw new RunError('dirty-tree', 'the git work tree has uncommitted changes; commit or stash them, or pass --allow-dirty', state.files.slice(0, 20));
    }
    if (state.kind === 'unknown') {
      throw new RunError('dirty-tree', `cannot tell whether the git work tree is clean (${state.reason}); fix git, or pass --allow-dirty to write anyway`);
    }
  }

  const progress = options.onProgress ?? (() => {});
  const paths = isFile ? [target.slice(root.length + 1)] : await discoverFiles(root, options);
  progress({ phase: 'discover', done: paths.length, total: paths.length });
  const { texts, formats, diagnostics } = await readSources(root, paths);

  // Server code only unless asked: tests and MCP client code are neither seeds nor pulled in by imports.
  const { tests, rest } = options.includeTests ? { tests: [], rest: [...texts.keys()] } : splitTests(texts.keys());
  const scoped = new Map(rest.map((path) => [path, texts.get(path) ?? '']));
  // The cheap pre-filter: a file no selected transform's vocabulary matches is never parsed.
  const seeds = rest.filter((path) => selected.some((t) => t.vocabulary.test(texts.get(path) ?? '')));
  // Modules also import each other through the tsconfig's path aliases (`@/services/x`).
  const aliases = readPathAliases(root);
  const connected = groupByImports(seeds, scoped, aliases);
  const groups = options.includeTests ? connected : connected.filter((group) => !isClientGroup(group, texts));
  const excluded = { tests: tests.length, client: connected.filter((group) => !groups.includes(group)).reduce((sum, g) => sum + g.length, 0) };
  const factsOf = factsReader(root);
  const jobs: TransformJob[] = groups.map((group) => ({
    files: Object.fromEntries(group.map((path) => [path, texts.get(path) ?? ''])),
    transformIds: selected.map((t) => t.id),
    registryModule: options.registry.module,
    options: transformOptions,
    existingPaths: paths,
    recordSteps: options.recordSteps,
    onlyWithFindings: options.registry.auditCovers === true,
    root,
    facts: { ...factsOf(group), aliases },
  }));
  const parsed = groups.reduce((sum, group) => sum + group.length, 0);
  // Workers load transforms from the registry's module; a registry without one runs in this thread.
  const workerCount = options.registry.module ? chooseWorkers(options.workers, parsed) : 1;
  const results = await runJobs(jobs, selected, workerCount, (done) => progress({ phase: 'transform', done, total: jobs.length }));

  const tree = new VirtualTree((path) => texts.get(path) ?? readTextIfPresent(join(root, path)));
  for (const result of results) {
    diagnostics.push(...result.diagnostics);
    const emitted = new Set(result.emitted);
    for (const [path, text] of Object.entries(result.changed)) {
      const by = result.applied.filter((a) => a.file === path).map((a) => a.transform);
      tree.record(path, text, [...new Set(by)], emitted.has(path));
    }
  }
  diagnostics.push(...tree.diagnostics);

  let formatter: string | undefined;
  if (options.format !== false && tree.list().length > 0) {
    formatter = await formatChanges(root, tree, diagnostics, progress);
  }

  diagnostics.push(...staleTests(tests, (path) => texts.get(path), tree.list(), aliases));

  const steps = options.recordSteps ? mergeSteps(results, selected.map((t) => t.id)) : undefined;
  const changes = options.write && options.selectChanges ? await options.selectChanges({ root, changes: tree.list(), diagnostics, steps }) : tree.list();
  const writeSets = writeGroups(changes, results);
  let typecheck = skippedGate('--no-typecheck');
  if (options.typecheck !== false) {
    progress({ phase: 'typecheck', done: 0, total: writeSets.length });
    typecheck = runTypecheckGate({ root, groups: writeSets });
    progress({ phase: 'typecheck', done: writeSets.length, total: writeSets.length });
  }
  diagnostics.push(...gateDiagnostics(typecheck, options.forceWrite === true, options.write === true));
  let written: string[] = [];
  if (options.write) {
    const held = new Set(options.forceWrite ? [] : typecheck.blocked.flatMap((b) => b.files));
    const writable = writeSets.filter((group) => !group.some((change) => held.has(change.path)));
    progress({ phase: 'write', done: 0, total: writable.reduce((n, group) => n + group.length, 0) });
    const flushed = await flushToDisk(root, writable, formats);
    written = flushed.written;
    diagnostics.push(...flushed.diagnostics);
  }

  return {
    root,
    changes: changes.map((change) => withStoredLayout(change, formats.get(change.path))),
    diagnostics: sortDiagnostics(diagnostics),
    written,
    formatter,
    ...(steps ? { steps } : {}),
    typecheck,
    stats: {
      discovered: paths.length,
      parsed,
      groups: groups.length,
      excluded,
      changed: changes.length,
      workers: workerCount,
      durationMs: Math.round(performance.now() - started),
    },
  };
}

/** A change with the layout of the file on disk, when it has a BOM or CRLF line ends (see FileChange.stored). */
function withStoredLayout(change: FileChange, format: SourceFormat | undefined): FileChange {
  return format && (format.bom || format.crlf) ? { ...change, stored: { bom: format.bom, crlf: format.crlf } } : change;
}

/**
 * The project facts of a group, read from the folder holding all its files (so each package of a monorepo
 * answers for its own SDK release); one read per folder.
 */
function factsReader(root: string): (group: readonly string[]) => ProjectFacts {
  const byFolder = new Map<string, ProjectFacts>();
  return (group) => {
    const folders = group.map((path) => path.split('/').slice(0, -1));
    const common = folders.reduce((shared, parts) => {
      let depth = 0;
      while (depth < shared.length && shared[depth] === parts[depth]) depth++;
      return shared.slice(0, depth);
    }, folders[0] ?? []);
    const folder = join(root, ...common);
    let facts = byFolder.get(folder);
    if (!facts) byFolder.set(folder, (facts = readProjectFacts(folder)));
    return facts;
  };
}

function validateOptions(selected: readonly Transform[], given: Readonly<Record<string, OptionValues>>): Record<string, OptionValues> {
  const out: Record<string, OptionValues> = {};
  for (const [id, values] of Object.entries(given)) {
    const transform = selected.find((t) => t.id === id);
    if (!transform) throw new RunError('invalid-option', `options given for ${id}, which is not among the transforms being run`);
    for (const [name, value] of Object.entries(values)) {
      const spec = transform.options?.find((o) => o.name === name);
      if (!spec) {
        const known = transform.options?.map((o) => o.name).join(', ') || 'none';
        throw new RunError('invalid-option', `${id} has no option "${name}" (its options: ${known})`);
      }
      if (spec.choices && !spec.choices.includes(String(value))) {
        throw new RunError('invalid-option', `${id}.${name} must be one of ${spec.choices.join(', ')}; got "${String(value)}"`);
      }
      const refused = spec.validate?.(String(value));
      if (refused) throw new RunError('invalid-option', `${id}.${name}: ${refused}`);
    }
  }
  for (const transform of selected) out[transform.id] = resolveOptions(transform, given[transform.id]);
  return out;
}

function chooseWorkers(requested: number | 'auto' | undefined, parsed: number): number {
  if (typeof requested === 'number') return Math.max(1, Math.floor(requested));
  return parsed >= WORKER_THRESHOLD ? Math.max(1, Math.min(availableParallelism(), 8)) : 1;
}

/** Compiled builds run groups in worker threads; from sources (tests), or for one worker, in-process. */
async function runJobs(
  jobs: readonly TransformJob[],
  selected: readonly Transform[],
  workers: number,
  onDone: (done: number) => void,
): Promise<TransformFilesResult[]> {
  const workerUrl = new URL('./transform-worker.js', import.meta.url);
  if (workers > 1 && jobs.length > 1 && existsSync(fileURLToPath(workerUrl))) {
    return runInWorkers<TransformJob, TransformFilesResult>(workerUrl, jobs, workers, failedJob, onDone);
  }
  return jobs.map((job, index) => {
    const result = transformFiles(job.files, {
      transforms: selected,
      options: job.options,
      existingPaths: new Set(job.existingPaths),
      recordSteps: job.recordSteps,
      onlyWithFindings: job.onlyWithFindings,
      root: job.root,
      facts: job.facts,
    });
    onDone(index + 1);
    return result;
  });
}

function failedJob(job: TransformJob, error: Error): TransformFilesResult {
  return {
    changed: {},
    emitted: [],
    applied: [],
    diagnostics: Object.keys(job.files).map((path) => fileError(path, 'transform-error', `worker failed: ${error.message}`)),
  };
}

async function formatChanges(
  root: string,
  tree: VirtualTree,
  diagnostics: Diagnostic[],
  progress: (p: MigrateProgress) => void,
): Promise<string | undefined> {
  const formatter = findProjectFormatter(root);
  if (!formatter) return undefined;
  const changes = tree.list();
  for (const [index, change] of changes.entries()) {
    try {
      tree.update(change.path, await formatText(formatter, join(root, change.path), change.after, root));
    } catch (error) {
      diagnostics.push({ ...fileError(change.path, 'format-error', (error as Error).message), level: 'warning' });
    }
    progress({ phase: 'format', done: index + 1, total: changes.length });
  }
  return formatter.name;
}

/**
 * The changes grouped as they must be written, all or nothing: the files one transform job changed belong
 * together (their imports point at each other and at the store they emitted); jobs sharing a file are merged.
 */
function writeGroups(changes: readonly FileChange[], results: readonly TransformFilesResult[]): FileChange[][] {
  const byPath = new Map(changes.map((change) => [change.path, change]));
  const groupOf = new Map<string, Set<string>>();
  for (const result of results) {
    let merged = new Set(Object.keys(result.changed).filter((path) => byPath.has(path)));
    for (const path of [...merged]) {
      const other = groupOf.get(path);
      if (other && other !== merged) {
        for (const member of other) merged.add(member);
      }
    }
    for (const path of merged) groupOf.set(path, merged);
  }
  const groups = new Set(groupOf.values());
  const written = new Set(groupOf.keys());
  const loose = changes.filter((change) => !written.has(change.path)).map((change) => [change]);
  return [...[...groups].map((group) => [...group].sort().map((path) => byPath.get(path)!)), ...loose];
}

/**
 * Each error a held-back group would introduce, as a diagnostic at its place: an error (the group is not written),
 * or a warning when `forceWrite` writes it anyway.
 */
function gateDiagnostics(gate: TypecheckGateResult, forced: boolean, write: boolean): Diagnostic[] {
  const outcome = forced ? (write ? 'written anyway (--force-write)' : 'kept anyway (--force-write)') : write ? 'not written' : 'would not be written';
  return gate.blocked.flatMap((group) =>
    group.errors.map((error) => ({
      level: forced ? ('warning' as const) : ('error' as const),
      rule: 'type-error' as const,
      file: error.file,
      line: error.line,
      column: error.column,
      message: `${error.code} ${error.message.replace(/\n\s*/g, ' ')} (introduced by the migration; ${group.files.length} file(s) ${outcome})`,
    })),
  );
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}
