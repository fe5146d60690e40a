/**
 * The type-check gate: before a group of changed files is written, the changed project is type-checked in
 * memory (the new texts laid over the files on disk) with the project's own tsconfig.json and TypeScript, and
 * its errors compared with those of the project as it is. A group whose migration introduces an error (one
 * absent before, by file, code and message, so pre-existing errors never block) is held back.
 *
 * Speed: one program for the changed project, in which only the project's own files that can see a change (the
 * changed files and the files importing them, directly or not; every file when a change is global, a script or
 * a `declare global`) are checked. Only when some of them have errors is the project as it is built too (reusing
 * the parsed files) and just those files checked there, to tell new errors from old ones.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { FileChange } from './vfs.js';

type TypeScript = typeof import('ts-morph').ts;
type Program = import('ts-morph').ts.Program;
type SourceFile = import('ts-morph').ts.SourceFile;
type CompilerOptions = import('ts-morph').ts.CompilerOptions;
type CompilerHost = import('ts-morph').ts.CompilerHost;
type TsDiagnostic = import('ts-morph').ts.Diagnostic;
type ResolutionMode = import('ts-morph').ts.ResolutionMode;

/** One type error, as tsc prints it. */
export interface TypeErrorReport {
  /** Path relative to the run root, forward slashes; empty for an error about no file. */
  file: string;
  /** 1-based; 0 for an error about no file. */
  line: number;
  column: number;
  /** `TS2322`. */
  code: string;
  /** The whole message chain, one line per level. */
  message: string;
}

/** What the gate found for one tsconfig.json: the changed files it covers. */
export interface TypecheckedProject {
  /** The tsconfig.json, relative to the run root. */
  tsconfig: string;
  /** The project's compiler: `typescript 5.9.3`. */
  compiler: string;
  /** Files whose errors were compared (the project's files that can see a change). */
  checkedFiles: number;
  /** Errors the changes would introduce. */
  introduced: TypeErrorReport[];
}

/** A write group the gate holds back, and the errors that hold it. */
export interface BlockedGroup {
  files: string[];
  errors: TypeErrorReport[];
}

/** A group the gate did not check, and why. */
export interface UncheckedGroup {
  files: string[];
  reason: string;
}

export interface TypecheckGateResult {
  /**
   * `passed`: every checked group type-checks as well as before; `failed`: some group introduces errors;
   * `skipped`: nothing was checked (see `reason`).
   */
  status: 'passed' | 'failed' | 'skipped';
  /** Why nothing was checked, or why some groups were not. */
  reason?: string;
  projects: TypecheckedProject[];
  blocked: BlockedGroup[];
  unchecked: UncheckedGroup[];
  durationMs: number;
}

export interface TypecheckGateInput {
  root: string;
  /** The changes as they are written, all or nothing per group. */
  groups: ReadonlyArray<readonly FileChange[]>;
}

/** A result for a run that did not check (`--no-typecheck`, nothing to write). */
export function skippedGate(reason: string): TypecheckGateResult {
  return { status: 'skipped', reason, projects: [], blocked: [], unchecked: [], durationMs: 0 };
}

/** Type-check each group's changes against the project as it is; see the module comment. */
export function runTypecheckGate(input: TypecheckGateInput): TypecheckGateResult {
  const started = performance.now();
  const root = resolve(input.root);
  const groups = input.groups.filter((group) => group.length > 0);
  if (groups.length === 0) return skippedGate('nothing to write');

  const unchecked: UncheckedGroup[] = [];
  const byConfig = new Map<string, Array<readonly FileChange[]>>();
  for (const group of groups) {
    const config = findTsconfig(root, group);
    if (!config) {
      unchecked.push({ files: group.map((c) => c.path), reason: noTsconfigReason(group) });
      continue;
    }
    byConfig.set(config, [...(byConfig.get(config) ?? []), group]);
  }

  const projects: TypecheckedProject[] = [];
  const blocked: BlockedGroup[] = [];
  for (const [config, members] of byConfig) {
    const outcome = checkProject(root, config, members);
    if ('reason' in outcome) {
      for (const group of members) unchecked.push({ files: group.map((c) => c.path), reason: outcome.reason });
      continue;
    }
    projects.push(outcome.project);
    blocked.push(...outcome.blocked);
    unchecked.push(...outcome.unchecked);
  }

  const durationMs = Math.round(performance.now() - started);
  if (projects.length === 0) {
    const reasons = [...new Set(unchecked.map((u) => u.reason))];
    return { status: 'skipped', reason: reasons.join('; '), projects, blocked, unchecked, durationMs };
  }
  const reason = unchecked.length > 0 ? [...new Set(unchecked.map((u) => u.reason))].join('; ') : undefined;
  return { status: blocked.length > 0 ? 'failed' : 'passed', ...(reason ? { reason } : {}), projects, blocked, unchecked, durationMs };
}

function noTsconfigReason(group: readonly FileChange[]): string {
  return group.some((change) => /\.[cm]?tsx?$/.test(change.path))
    ? 'no tsconfig.json in the project'
    : 'no tsconfig.json: a JavaScript project is not type-checked';
}

/**
 * The tsconfig.json that governs a group: the nearest one from the group's folder up to the project's
 * package.json (a folder holding a package.json but no tsconfig.json ends the search).
 */
function findTsconfig(root: string, group: readonly FileChange[]): string | undefined {
  const existing = group.filter((change) => change.before !== undefined);
  const folder = commonFolder(root, (existing.length > 0 ? existing : group).map((c) => c.path));
  for (let dir = folder; ; dir = dirname(dir)) {
    const config = join(dir, 'tsconfig.json');
    if (existsSync(config)) return config;
    if (existsSync(join(dir, 'package.json')) || dirname(dir) === dir) return undefined;
  }
}

function commonFolder(root: string, paths: readonly string[]): string {
  const folders = paths.map((path) => path.split('/').slice(0, -1));
  const common = folders.reduce((shared, parts) => {
    let depth = 0;
    while (depth < shared.length && shared[depth] === parts[depth]) depth++;
    return shared.slice(0, depth);
  }, folders[0] ?? []);
  return join(root, ...common);
}

/**
 * The project's own TypeScript, as its build would use it: the errors compared are the ones that build reports.
 * Undefined when the project has none installed.
 */
function compilerFor(dir: string): TypeScript | undefined {
  try {
    const own = createRequire(join(dir, 'package.json'))('typescript') as TypeScript;
    return typeof own.createProgram === 'function' ? own : undefined;
  } catch {
    return undefined;
  }
}

interface ProjectOutcome {
  project: TypecheckedProject;
  blocked: BlockedGroup[];
  /** Groups the tsconfig.json does not include (tsc -p would not check them either). */
  unchecked: UncheckedGroup[];
}

function checkProject(root: string, configPath: string, groups: ReadonlyArray<readonly FileChange[]>): ProjectOutcome | { reason: string } {
  const configDir = dirname(configPath);
  const shownConfig = toPosix(relative(root, configPath));
  if (!hasNodeModules(configDir)) return { reason: `dependencies not installed (no node_modules for ${shownConfig}); run npm install to type-check before writing` };
  const ts = compilerFor(configDir);
  if (!ts) return { reason: `typescript is not installed in the project (the gate checks with the project's own compiler); run npm install to type-check before writing` };
  const label = `typescript ${ts.version}`;
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, undefined, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) return { reason: `${shownConfig} cannot be read` };
  const options = parsed.options;
  const absolute = (path: string) => toPosix(resolve(root, path));
  const covered = new Set(parsed.fileNames.map(toPosix));
  const inProgram = groups.filter((group) => group.some((change) => change.before !== undefined && covered.has(absolute(change.path))));
  const notIncluded = `${shownConfig} does not include the changed files`;
  if (inProgram.length === 0) return { reason: notIncluded };
  const unchecked = groups.filter((group) => !inProgram.includes(group)).map((group) => ({ files: group.map((c) => c.path), reason: notIncluded }));

  const base = cachingHost(ts, options);
  const missing = unresolvedSdk(ts, options, base, root, inProgram);
  if (missing) return { reason: `dependencies not installed (${missing} does not resolve); run npm install to type-check before writing` };

  // The project as it is, built only when the changed project has errors to compare (the usual run has none).
  let before: Program | undefined;
  const beforeProgram = (reuse: Program): Program =>
    (before ??= ts.createProgram({ rootNames: parsed.fileNames, options, projectReferences: parsed.projectReferences, host: base, oldProgram: reuse }));
  const beforeErrors = new Map<string, TypeErrorReport[]>();
  const errorsBefore = (fileName: string, reuse: Program): TypeErrorReport[] => {
    let found = beforeErrors.get(fileName);
    if (!found) {
      const program = beforeProgram(reuse);
      const file = program.getSourceFile(fileName);
      beforeErrors.set(fileName, (found = file ? fileErrors(ts, program, file, root) : []));
    }
    return found;
  };

  // Check the groups together; hold back those with errors and check the rest again, until what is left passes.
  let candidates = [...inProgram];
  const blocked: BlockedGroup[] = [];
  let checkedFiles = 0;
  let previous: Program | undefined;
  while (candidates.length > 0) {
    const overlay = new Map(candidates.flat().map((change) => [absolute(change.path), change.after]));
    const after = ts.createProgram({ rootNames: parsed.fileNames, options, projectReferences: parsed.projectReferences, host: overlayHost(ts, base, overlay), oldProgram: previous });
    previous = after;
    const graph = dependencyGraph(ts, after, options, base);
    const affected = affectedFiles(ts, after, graph, overlay, candidates);
    checkedFiles = Math.max(checkedFiles, affected.length);
    const round: TypeErrorReport[] = [];
    for (const file of affected) {
      const errors = fileErrors(ts, after, file, root);
      if (errors.length > 0) round.push(...introducedErrors(errorsBefore(file.fileName, after), errors));
    }
    const global = programErrors(ts, after, root);
    if (global.length > 0) round.push(...introducedErrors(programErrors(ts, beforeProgram(after), root), global));
    if (round.length === 0) break;
    const guilty = attribute(graph, round, candidates, root);
    for (const [group, errors] of guilty) blocked.push({ files: group.map((c) => c.path), errors });
    candidates = candidates.filter((group) => !guilty.has(group));
  }
  return {
    project: { tsconfig: shownConfig, compiler: label, checkedFiles, introduced: dedupe(blocked.flatMap((b) => b.errors)) },
    blocked,
    unchecked,
  };
}

function hasNodeModules(dir: string): boolean {
  for (let folder = dir; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'node_modules'))) return true;
    if (dirname(folder) === folder) return false;
  }
}

/** A compiler host that parses each unchanged file once for every program of the run. */
function cachingHost(ts: TypeScript, options: CompilerOptions): CompilerHost {
  const host = ts.createCompilerHost(options, true);
  const cache = new Map<string, SourceFile | undefined>();
  const getSourceFile: CompilerHost['getSourceFile'] = (fileName, languageVersion, onError, shouldCreate) => {
    const key = `${fileName}\0${typeof languageVersion === 'object' ? `${languageVersion.languageVersion}:${String(languageVersion.impliedNodeFormat)}` : languageVersion}`;
    if (cache.has(key)) return cache.get(key);
    const file = host.getSourceFile(fileName, languageVersion, onError, shouldCreate);
    cache.set(key, file);
    return file;
  };
  return { ...host, getSourceFile };
}

/** The host with the new texts laid over the disk: changed files read as changed, new files exist. */
function overlayHost(ts: TypeScript, base: CompilerHost, overlay: ReadonlyMap<string, string>): CompilerHost {
  const folders = new Set<string>();
  for (const path of overlay.keys()) for (let dir = dirname(path); !folders.has(dir) && dirname(dir) !== dir; dir = dirname(dir)) folders.add(dir);
  return {
    ...base,
    fileExists: (fileName) => overlay.has(toPosix(fileName)) || base.fileExists(fileName),
    readFile: (fileName) => overlay.get(toPosix(fileName)) ?? base.readFile(fileName),
    directoryExists: (dir) => folders.has(toPosix(dir).replace(/\/$/, '')) || (base.directoryExists?.(dir) ?? true),
    getSourceFile: (fileName, languageVersion, onError, shouldCreate) => {
      const text = overlay.get(toPosix(fileName));
      if (text === undefined) return base.getSourceFile(fileName, languageVersion, onError, shouldCreate);
      return ts.createSourceFile(fileName, text, languageVersion, true);
    },
  };
}

/** The first SDK import of the groups' files (as they are) that does not resolve, when any. */
function unresolvedSdk(ts: TypeScript, options: CompilerOptions, host: CompilerHost, root: string, groups: ReadonlyArray<readonly FileChange[]>): string | undefined {
  for (const change of groups.flat()) {
    if (change.before === undefined) continue;
    const containing = toPosix(resolve(root, change.path));
    for (const imported of ts.preProcessFile(change.before, true, true).importedFiles) {
      if (!imported.fileName.startsWith('@modelcontextprotocol/')) continue;
      // Either module format will do: this asks whether the package is installed, not how the file imports it.
      const modes: ResolutionMode[] = [ts.ModuleKind.CommonJS, ts.ModuleKind.ESNext];
      const resolves = modes.some((mode) => ts.resolveModuleName(imported.fileName, containing, options, host, undefined, undefined, mode).resolvedModule);
      if (!resolves) return `${imported.fileName}, imported by ${change.path},`;
    }
  }
  return undefined;
}

/** The project's own files (not libraries, not node_modules) in a program. */
function ownFiles(program: Program): SourceFile[] {
  return program.getSourceFiles().filter((file) => !program.isSourceFileDefaultLibrary(file) && !program.isSourceFileFromExternalLibrary(file) && !/[\\/]node_modules[\\/]/.test(file.fileName));
}

/** Relative imports and references of each own file, resolved: file → the own files it depends on. */
function dependencyGraph(ts: TypeScript, program: Program, options: CompilerOptions, host: CompilerHost): Map<string, Set<string>> {
  const own = ownFiles(program);
  const known = new Set(own.map((file) => file.fileName));
  const cache = ts.createModuleResolutionCache(host.getCurrentDirectory(), (name) => name, options);
  const graph = new Map<string, Set<string>>();
  for (const file of own) {
    const info = ts.preProcessFile(file.text, true, true);
    const targets = new Set<string>();
    for (const imported of info.importedFiles) {
      const resolved = ts.resolveModuleName(imported.fileName, file.fileName, options, host, cache).resolvedModule?.resolvedFileName;
      if (resolved && known.has(resolved)) targets.add(resolved);
    }
    for (const reference of info.referencedFiles) {
      const target = toPosix(resolve(dirname(file.fileName), reference.fileName));
      if (known.has(target)) targets.add(target);
    }
    graph.set(file.fileName, targets);
  }
  return graph;
}

/** A change every file can see: a script (no import or export) or an ambient declaration of global scope. */
function isGlobalChange(ts: TypeScript, change: FileChange): boolean {
  return [change.before, change.after].some((text) => {
    if (text === undefined) return false;
    if (/\bdeclare\s+(global\b|module\s+['"])/.test(text)) return true;
    const file = ts.createSourceFile(change.path, text, ts.ScriptTarget.Latest, false);
    return !ts.isExternalModule(file) && !/\.d\.[cm]?ts$/.test(change.path) && /\.[cm]?tsx?$/.test(change.path);
  });
}

/** The changed files and every own file that imports one of them, directly or not (all own files for a global change). */
function affectedFiles(
  ts: TypeScript,
  program: Program,
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  overlay: ReadonlyMap<string, string>,
  groups: ReadonlyArray<readonly FileChange[]>,
): SourceFile[] {
  const own = ownFiles(program);
  if (groups.flat().some((change) => isGlobalChange(ts, change))) return own;
  const importers = new Map<string, string[]>();
  for (const [from, targets] of graph) {
    for (const target of targets) importers.set(target, [...(importers.get(target) ?? []), from]);
  }
  const affected = new Set<string>();
  const pending = [...overlay.keys()];
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (affected.has(next)) continue;
    affected.add(next);
    pending.push(...(importers.get(next) ?? []));
  }
  return own.filter((file) => affected.has(file.fileName));
}

/**
 * The groups an introduced error holds back, each with its errors: the group that changed the file, else the
 * groups whose changes the file imports (it broke because of them), else all of them.
 */
function attribute(
  graph: ReadonlyMap<string, ReadonlySet<string>>,
  errors: readonly TypeErrorReport[],
  groups: ReadonlyArray<readonly FileChange[]>,
  root: string,
): Map<readonly FileChange[], TypeErrorReport[]> {
  const groupOf = new Map<string, readonly FileChange[]>();
  for (const group of groups) for (const change of group) groupOf.set(toPosix(resolve(root, change.path)), group);
  const guilty = new Map<readonly FileChange[], TypeErrorReport[]>();
  for (const error of errors) {
    const file = error.file === '' ? undefined : toPosix(resolve(root, error.file));
    const reached = new Set<readonly FileChange[]>();
    const seen = new Set<string>();
    const pending = file ? [file] : [];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const group = groupOf.get(next);
      if (group) reached.add(group);
      // A changed file answers for its own errors; an unchanged one for those its changed imports cause.
      if (next === file && group) break;
      pending.push(...(graph.get(next) ?? []));
    }
    for (const group of reached.size > 0 ? reached : groups) guilty.set(group, [...(guilty.get(group) ?? []), error]);
  }
  return guilty;
}

/** Errors tsc reports for one file: syntax, types and (when declarations are emitted) declaration errors. */
function fileErrors(ts: TypeScript, program: Program, file: SourceFile, root: string): TypeErrorReport[] {
  const options = program.getCompilerOptions();
  const diagnostics: TsDiagnostic[] = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  if (options.declaration || options.composite) diagnostics.push(...program.getDeclarationDiagnostics(file));
  return diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => report(ts, d, root));
}

/** Errors about no file in particular (options, global types). */
function programErrors(ts: TypeScript, program: Program, root: string): TypeErrorReport[] {
  return [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
    .filter((d) => d.category === ts.DiagnosticCategory.Error)
    .map((d) => report(ts, d, root));
}

function report(ts: TypeScript, diagnostic: TsDiagnostic, root: string): TypeErrorReport {
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  const code = `TS${diagnostic.code}`;
  if (!diagnostic.file) return { file: '', line: 0, column: 0, code, message };
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  return { file: toPosix(relative(root, diagnostic.file.fileName)), line: line + 1, column: character + 1, code, message };
}

const identity = (error: TypeErrorReport) => `${error.file}|${error.code}|${error.message}`;

/** Errors after that were not there before: a multiset difference by file, code and message (lines move). */
export function introducedErrors(before: readonly TypeErrorReport[], after: readonly TypeErrorReport[]): TypeErrorReport[] {
  const left = new Map<string, number>();
  for (const error of before) left.set(identity(error), (left.get(identity(error)) ?? 0) + 1);
  const introduced: TypeErrorReport[] = [];
  for (const error of after) {
    const count = left.get(identity(error)) ?? 0;
    if (count > 0) left.set(identity(error), count - 1);
    else introduced.push(error);
  }
  return introduced;
}

function dedupe(errors: readonly TypeErrorReport[]): TypeErrorReport[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${identity(error)}|${error.line}|${error.column}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
