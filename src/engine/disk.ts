import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileError, type Diagnostic } from './diagnostics.js';
import type { FileChange } from './vfs.js';

/** Read files relative to `root`; a file that cannot be read becomes a diagnostic and the run goes on. */
export async function readSources(root: string, paths: readonly string[]): Promise<{ texts: Map<string, string>; diagnostics: Diagnostic[] }> {
  const texts = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  await Promise.all(
    paths.map(async (path) => {
      try {
        texts.set(path, await readFile(join(root, path), 'utf8'));
      } catch (error) {
        diagnostics.push(fileError(path, 'read-error', `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`));
      }
    }),
  );
  return { texts, diagnostics };
}

/**
 * The disk sink: write each changed file atomically (temp file + rename), so an interrupted run leaves every
 * file either old or new, never half-written. A file that fails is reported; the others are still written.
 */
export async function flushToDisk(root: string, changes: readonly FileChange[]): Promise<{ written: string[]; diagnostics: Diagnostic[] }> {
  const written: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const change of changes) {
    const target = join(root, change.path);
    const temp = `${target}.mcp-sessionless-${process.pid}.tmp`;
    try {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(temp, change.after);
      await rename(temp, target);
      written.push(change.path);
    } catch (error) {
      await rm(temp, { force: true });
      diagnostics.push(fileError(change.path, 'write-error', `cannot write: ${(error as Error).message}`));
    }
  }
  return { written, diagnostics };
}
