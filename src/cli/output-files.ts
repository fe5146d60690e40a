import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** An output file (`--patch`, `--output`) that cannot be written: a usage error, raised before any work. */
export class OutputFileError extends Error {}

/**
 * Check that `path` can be written, before the run touches any source: its folder exists and is writable,
 * and the file, if present, is a writable regular file.
 */
export function assertWritableOutput(flag: string, path: string): void {
  const absolute = resolve(path);
  const folder = dirname(absolute);
  const problem = (() => {
    try {
      if (!statSync(folder).isDirectory()) return `${folder} is not a folder`;
    } catch {
      return `folder ${folder} does not exist`;
    }
    // Open it as the write will (access() says yes to root even where writing fails); remove what the probe made.
    const present = existing(absolute);
    try {
      if (present && statSync(absolute).isDirectory()) return `${absolute} is a folder`;
      closeSync(openSync(absolute, present ? 'r+' : 'wx'));
      if (!present) unlinkSync(absolute);
      return undefined;
    } catch (error) {
      return `${present ? absolute : folder} is not writable: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  })();
  if (problem) throw new OutputFileError(`${flag} ${path}: cannot write there (${problem}); nothing was changed`);
}

function existing(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** Write an output file; a failure (the disk filled up, the folder vanished) is a clear error, not a crash. */
export async function writeOutput(flag: string, path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (error) {
    throw new OutputFileError(`${flag} ${path}: cannot write (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}
