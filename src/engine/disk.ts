import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileError, type Diagnostic } from './diagnostics.js';
import type { FileChange } from './vfs.js';

/**
 * How a source file was stored, so that a rewrite keeps every byte outside the edits: transforms see
 * plain LF text without a BOM; the disk sink puts the BOM and CRLF line ends back.
 */
export interface SourceFormat {
  bom: boolean;
  /** Every line ended in CRLF: the text was normalized to LF and is written back with CRLF. */
  crlf: boolean;
  /** SHA-256 of the bytes read: the file must still have them when the run writes it. */
  hash: string;
  /** The bytes read, to restore the file if its group cannot be written whole. */
  bytes: Buffer;
}

const BOM = '\uFEFF';
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decode a source file, or explain why it is refused (only UTF-8 is read and written, never guessed). */
export function decodeSource(bytes: Buffer): { text: string; format: SourceFormat } | { refused: string } {
  let decoded: string;
  try {
    decoded = strictUtf8.decode(bytes);
  } catch {
    return { refused: 'not valid UTF-8; left as it is (convert it to UTF-8 to migrate it)' };
  }
  const bom = decoded.startsWith(BOM);
  const body = bom ? decoded.slice(1) : decoded;
  const crlfCount = body.split('\r\n').length - 1;
  const lfCount = body.split('\n').length - 1;
  // Only files whose every line ends in CRLF are normalized; a mixed file is kept byte for byte as read.
  const crlf = crlfCount > 0 && crlfCount === lfCount;
  return {
    text: crlf ? body.replace(/\r\n/g, '\n') : body,
    format: { bom, crlf, hash: hashOf(bytes), bytes },
  };
}

/** The bytes to write for `text` in a file stored as `format` (new files: UTF-8, LF, no BOM). */
export function encodeSource(text: string, format: SourceFormat | undefined): Buffer {
  if (!format) return Buffer.from(text, 'utf8');
  const body = format.crlf ? text.replace(/\r?\n/g, '\r\n') : text;
  return Buffer.from(format.bom ? BOM + body : body, 'utf8');
}

function hashOf(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Read files relative to `root`; a file that cannot be read or is not UTF-8 becomes a diagnostic and the run goes on. */
export async function readSources(
  root: string,
  paths: readonly string[],
): Promise<{ texts: Map<string, string>; formats: Map<string, SourceFormat>; diagnostics: Diagnostic[] }> {
  const texts = new Map<string, string>();
  const formats = new Map<string, SourceFormat>();
  const diagnostics: Diagnostic[] = [];
  await Promise.all(
    paths.map(async (path) => {
      try {
        const decoded = decodeSource(await readFile(join(root, path)));
        if ('refused' in decoded) {
          diagnostics.push(fileError(path, 'encoding', decoded.refused));
          return;
        }
        texts.set(path, decoded.text);
        formats.set(path, decoded.format);
      } catch (error) {
        diagnostics.push(fileError(path, 'read-error', `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`));
      }
    }),
  );
  return { texts, formats, diagnostics };
}

/** Suffix of staged files: `<target>.mcp-sessionless-<pid>.tmp`, beside their target (same filesystem, so rename is atomic). */
const TEMP_PATTERN = /\.mcp-sessionless-(\d+)\.tmp$/;

function tempOf(target: string): string {
  return `${target}.mcp-sessionless-${process.pid}.tmp`;
}

/** One file of a group being written. */
interface Staged {
  change: FileChange;
  target: string;
  temp: string;
  format: SourceFormat | undefined;
  /** Renamed over its target already (so a rollback must restore it). */
  committed: boolean;
}

/**
 * What is on disk mid-write, for the signal handlers: a Ctrl-C or SIGTERM between two awaits removes
 * the staged files and restores the group's committed ones before the process ends.
 */
const inFlight = new Set<Staged[]>();
let signalsInstalled = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  for (const group of inFlight) rollbackSync(group);
  inFlight.clear();
  process.exit(signal === 'SIGINT' ? 130 : 143);
};

function installSignals(): void {
  if (signalsInstalled++ === 0) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}

function removeSignals(): void {
  if (--signalsInstalled === 0) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function rollbackSync(group: readonly Staged[]): void {
  for (const file of group) {
    try {
      if (file.committed) restoreSync(file);
      rmSync(file.temp, { force: true });
    } catch {
      // Best effort while the process is ending; the next run's cleanup removes what is left.
    }
  }
}

/** The bytes a file had before the run, or undefined for a file the run creates. */
function originalOf(file: Staged): Buffer | undefined {
  if (file.format) return file.format.bytes;
  return file.change.before === undefined ? undefined : Buffer.from(file.change.before, 'utf8');
}

function restoreSync(file: Staged): void {
  const original = originalOf(file);
  if (!original) {
    rmSync(file.target, { force: true });
    return;
  }
  writeFileSync(file.temp, original);
  renameSync(file.temp, file.target);
}

/**
 * The disk sink. Each group (files connected by imports, which must change together) is written all or
 * nothing: every file is staged beside its target, every target is checked to be exactly as it was read
 * (an edit made while the run was working is never overwritten), then all are renamed into place; if any
 * step fails the group's renamed files are restored and its staged files removed. A group that fails is
 * reported file by file; the other groups are still written.
 */
export async function flushToDisk(
  root: string,
  groups: readonly (readonly FileChange[])[],
  formats: ReadonlyMap<string, SourceFormat>,
): Promise<{ written: string[]; diagnostics: Diagnostic[] }> {
  const written: string[] = [];
  const diagnostics: Diagnostic[] = [];
  installSignals();
  try {
    await removeStaleTemps(groups.flat().map((change) => join(root, change.path)));
    for (const changes of groups) {
      // New files (the store a group's imports point at) go into place before the files that import them:
      // a run killed between two renames leaves code whose imports resolve, and a re-run finishes the rest.
      const ordered = [...changes].sort((a, b) => Number(a.before !== undefined) - Number(b.before !== undefined));
      const group: Staged[] = ordered.map((change) => {
        const target = join(root, change.path);
        return { change, target, temp: tempOf(target), format: formats.get(change.path), committed: false };
      });
      inFlight.add(group);
      let current: Staged | undefined;
      try {
        for (current of group) {
          await mkdir(dirname(current.target), { recursive: true });
          await writeFile(current.temp, encodeSource(current.change.after, current.format));
        }
        for (current of group) await checkUnchanged(current);
        for (current of group) {
          await rename(current.temp, current.target);
          current.committed = true;
        }
        written.push(...group.map((file) => file.change.path));
      } catch (error) {
        await rollback(group);
        const reason = error instanceof ChangedOnDisk ? error.message : `cannot write: ${(error as Error).message}`;
        const whole = group.length > 1 ? `; none of the ${group.length} files of its import group was changed` : '';
        for (const file of group) {
          const message = file === current ? `${reason}${whole}` : `not written: ${current?.change.path ?? 'another file'} of its import group could not be written${whole}`;
          diagnostics.push(fileError(file.change.path, 'write-error', message));
        }
      } finally {
        inFlight.delete(group);
      }
    }
  } finally {
    removeSignals();
  }
  return { written, diagnostics };
}

class ChangedOnDisk extends Error {
  constructor(readonly path: string) {
    super(`${path} changed on disk while the migration ran; not written (run migrate again)`);
  }
}

async function checkUnchanged(file: Staged): Promise<void> {
  if (!file.format && file.change.before !== undefined) {
    // Read by the caller without a recorded format (the scaffolder): compare the text.
    const current = await readFile(file.target).catch(() => undefined);
    const decoded = current && decodeSource(current);
    if (!decoded || 'refused' in decoded || decoded.text !== file.change.before) throw new ChangedOnDisk(file.change.path);
    return;
  }
  if (!file.format) {
    // A new file: nothing may have appeared at its path meanwhile.
    const present = await lstat(file.target).then(
      () => true,
      () => false,
    );
    if (present) throw new ChangedOnDisk(file.change.path);
    return;
  }
  const current = await readFile(file.target).catch(() => undefined);
  if (!current || hashOf(current) !== file.format.hash) throw new ChangedOnDisk(file.change.path);
}

async function rollback(group: readonly Staged[]): Promise<void> {
  for (const file of group) {
    try {
      if (file.committed) {
        const original = originalOf(file);
        if (original) {
          await writeFile(file.temp, original);
          await rename(file.temp, file.target);
        } else {
          await rm(file.target, { force: true });
        }
        file.committed = false;
      }
    } catch {
      // Reported through the group's diagnostic; restoring the next file matters more.
    } finally {
      await rm(file.temp, { force: true });
    }
  }
}

/**
 * Staged files left by a run that was killed outright (SIGKILL, power loss) next to the files this run
 * writes: removed when the process that made them is gone.
 */
async function removeStaleTemps(targets: readonly string[]): Promise<void> {
  const dirs = new Map<string, Set<string>>();
  for (const target of targets) {
    const names = dirs.get(dirname(target)) ?? new Set<string>();
    names.add(basename(target));
    dirs.set(dirname(target), names);
  }
  for (const [dir, names] of dirs) {
    const entries = await readdir(dir).catch(() => [] as string[]);
    for (const entry of entries) {
      const match = TEMP_PATTERN.exec(entry);
      if (!match || !names.has(entry.slice(0, match.index))) continue;
      if (Number(match[1]) !== process.pid && !isAlive(Number(match[1]))) await rm(join(dir, entry), { force: true });
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A file's current text as this run would see it (UTF-8, LF), or undefined when absent or unreadable. */
export function readTextIfPresent(path: string): string | undefined {
  try {
    const decoded = decodeSource(readFileSync(path));
    return 'refused' in decoded ? undefined : decoded.text;
  } catch {
    return undefined;
  }
}
