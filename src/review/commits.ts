/**
 * `migrate --write --commit`: the run's changes land as one git commit per transform that changed something,
 * so a reviewer can read (or revert) each step of the migration on its own, the way `ng update` commits per
 * migration. The last commit's text lists the markers left for a person.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BUILT_IN_REGISTRY } from '../../transforms/index.js';
import { fileError } from '../engine/diagnostics.js';
import { decodeSource, flushToDisk, type SourceFormat } from '../engine/disk.js';
import { RunError } from '../engine/errors.js';
import { findProjectFormatter, formatText } from '../engine/formatters.js';
import { workTreeState } from '../engine/git.js';
import type { MigrateResult } from '../engine/migrate.js';
import { migrate, type MigrateOptions } from '../migrate.js';
import { textsAfterStep } from '../engine/transform-steps.js';
import type { Transform } from '../engine/transform.js';
import type { FileChange } from '../engine/vfs.js';
import { markersIn, type MarkerLine } from './markers.js';

const git = promisify(execFile);

/** One commit the run made. */
export interface TransformCommit {
  transform: string;
  sha: string;
  message: string;
  files: string[];
}

export interface CommitRunResult extends MigrateResult {
  commits: TransformCommit[];
  /** Markers the run left, as they stand in the final files (listed in the last commit). */
  markers: MarkerLine[];
}

/**
 * Migrate and commit each transform's changes. Refuses a dirty work tree like `--write` (the commits must hold
 * only the migration), and a folder outside git. What the last commit holds is exactly what `--write` writes.
 */
export async function migrateWithCommits(options: Omit<MigrateOptions, 'write' | 'allowDirty' | 'selectChanges' | 'recordSteps'>): Promise<CommitRunResult> {
  // The dry run checks the path and options first, so a typo is reported before git is asked anything.
  const result = await migrate({ ...options, write: false, recordSteps: true });
  const state = await workTreeState(result.root);
  if (state.kind === 'not-a-repository') throw new RunError('not-a-repository', `--commit needs a git repository; ${result.root} is not in one`);
  if (state.kind === 'dirty') {
    throw new RunError('dirty-tree', 'the git work tree has uncommitted changes; commit or stash them before migrate --commit', state.files.slice(0, 20));
  }

  const registry = (options.registry ?? BUILT_IN_REGISTRY).transforms;
  const steps = result.steps ?? [];
  // Files the type-check gate holds back are committed at no step (unless forced), as a plain --write leaves them.
  const held = new Set(options.forceWrite ? [] : result.typecheck.blocked.flatMap((group) => group.files));
  const final = new Map(result.changes.filter((change) => !held.has(change.path)).map((change) => [change.path, change]));
  // A file's last step writes the final (formatted) text itself, so the last commit equals a plain --write.
  const lastStep = new Map<string, number>();
  steps.forEach((step, index) => {
    for (const path of Object.keys(step.files)) if (final.has(path)) lastStep.set(path, index);
  });
  const formatter = options.format === false ? undefined : findProjectFormatter(result.root);
  // Intermediate texts are formatted as the final ones were; one the formatter rejects stays as the transform left it.
  const formatted = async (text: string, path: string): Promise<string> => {
    if (!formatter) return text;
    try {
      return await formatText(formatter, join(result.root, path), text, result.root);
    } catch (error) {
      result.diagnostics.push({ ...fileError(path, 'format-error', (error as Error).message), level: 'warning' });
      return text;
    }
  };
  const markers = markersIn(result.changes, result.diagnostics);

  // Plan every commit first, so the markers go into the last one that really changes something.
  const planned: Array<{ transform: string; changes: FileChange[] }> = [];
  const current = new Map<string, string | undefined>([...final].map(([path, change]) => [path, change.before]));
  for (const [index, step] of steps.entries()) {
    const changes: FileChange[] = [];
    for (const path of Object.keys(step.files).filter((p) => final.has(p)).sort()) {
      const change = final.get(path) as FileChange;
      const text = lastStep.get(path) === index ? change.after : await formatted(textsAfterStep(steps, index, path, change.before) ?? '', path);
      if (text === current.get(path)) continue;
      changes.push({ path, before: current.get(path), after: text, transforms: [step.transform] });
      current.set(path, text);
    }
    if (changes.length > 0) planned.push({ transform: step.transform, changes });
  }

  const commits: TransformCommit[] = [];
  const written = new Set<string>();
  for (const [index, { transform: id, changes }] of planned.entries()) {
    // One group per transform step: its files are written all or nothing.
    const flushed = await flushToDisk(result.root, [changes], await storedFormats(result.root, changes));
    result.diagnostics.push(...flushed.diagnostics);
    if (flushed.written.length === 0) continue;
    for (const path of flushed.written) written.add(path);
    const transform = registry.find((t) => t.id === id);
    const message = commitMessage(id, transform, changes.filter((c) => flushed.written.includes(c.path)), index === planned.length - 1 ? markers : []);
    commits.push({ transform: id, files: flushed.written, message, sha: await commit(result.root, flushed.written, message) });
  }
  return { ...result, written: [...written].sort(), commits, markers };
}

/** Subject names the transform and its rules; the body its title and files; the last one the markers. */
export function commitMessage(id: string, transform: Transform | undefined, changes: readonly FileChange[], markers: readonly MarkerLine[]): string {
  const rules = transform?.rules.length ? ` (${transform.rules.join(', ')})` : '';
  const lines = [`mcp-sessionless: ${id}${rules}`, ''];
  if (transform) lines.push(`${transform.title}.`, '');
  lines.push('Files:', ...changes.map((c) => `  ${c.path}${c.before === undefined ? ' (new)' : ''}`));
  if (markers.length > 0) {
    lines.push('', `Markers left for review (git grep -n "@mcp-sessionless-todo"):`, ...markers.map((m) => `  ${m.file}:${m.line} ${m.rule} ${m.message}`));
  }
  return `${lines.join('\n')}\n`;
}

async function commit(root: string, paths: readonly string[], message: string): Promise<string> {
  try {
    await git('git', ['add', '--', ...paths], { cwd: root });
    // `-- paths`: only the migration's files go in, whatever else the index holds.
    await git('git', ['commit', '-q', '-m', message, '--', ...paths], { cwd: root });
    return (await git('git', ['rev-parse', 'HEAD'], { cwd: root })).stdout.trim();
  } catch (error) {
    throw new RunError('git-failed', `git commit failed: ${((error as { stderr?: string }).stderr || (error as Error).message).trim()}`);
  }
}

/**
 * How each file a commit changes is stored now (BOM, CRLF), read back from disk, so every commit keeps the
 * file's layout as --write does; a file that no longer holds the text the step starts from gets none, and the
 * write compares texts instead.
 */
async function storedFormats(root: string, changes: readonly FileChange[]): Promise<Map<string, SourceFormat>> {
  const formats = new Map<string, SourceFormat>();
  for (const change of changes) {
    if (change.before === undefined) continue;
    const bytes = await readFile(join(root, change.path)).catch(() => undefined);
    const decoded = bytes ? decodeSource(bytes) : undefined;
    if (decoded && 'format' in decoded && decoded.text === change.before) formats.set(change.path, decoded.format);
  }
  return formats;
}
