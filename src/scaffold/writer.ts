import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { flushToDisk } from '../engine/disk.js';
import { VirtualTree, type FileChange } from '../engine/vfs.js';
import { ScaffoldError } from './errors.js';
import type { FileMap } from './render-new.js';

/** A file's current text under `root`, or undefined when it does not exist. */
export function readExisting(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * The changes that writing `files` under `root` would make: new files, and existing files whose
 * text differs. Identical files produce no change, so re-running a generator is a no-op.
 */
export function planFiles(root: string, files: FileMap): FileChange[] {
  const tree = new VirtualTree((path) => readExisting(root, path));
  for (const [path, content] of Object.entries(files)) tree.record(path, content, []);
  return tree.list();
}

/** Entries of `dir` that make it count as non-empty (a lone .git folder does not), or undefined when it does not exist. */
export function occupiedEntries(dir: string): string[] | undefined {
  let info;
  try {
    info = statSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (!info.isDirectory()) throw new ScaffoldError('target-not-empty', `${dir} exists and is not a folder`);
  return readdirSync(dir)
    .filter((entry) => entry !== '.git')
    .sort();
}

/** Refuse to generate into a folder that already has files, unless forced. */
export function assertWritableTarget(dir: string, force: boolean): void {
  const entries = occupiedEntries(dir);
  if (!entries || entries.length === 0 || force) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
  throw new ScaffoldError('target-not-empty', `${dir} is not empty (${shown}); choose another folder or pass --force to write into it`);
}

/** Write the planned changes all or nothing; a file that cannot be written is an error. */
export async function writeChanges(root: string, changes: readonly FileChange[]): Promise<string[]> {
  const { written, diagnostics } = await flushToDisk(root, [changes], new Map());
  if (diagnostics.length > 0) throw new ScaffoldError('command-failed', diagnostics.map((d) => `${d.file}: ${d.message}`).join('\n'));
  return written;
}
