import { fileError, type Diagnostic } from './diagnostics.js';

/** One file the run wants to change: `before` is undefined for a new file. */
export interface FileChange {
  path: string;
  before: string | undefined;
  after: string;
  /** Transforms that changed it (empty for files emitted whole, e.g. the handle store). */
  transforms: string[];
  /**
   * How the file is stored on disk when that differs from the LF text without a BOM that transforms see: a patch
   * must name the bytes `git apply` will find, CRLF line ends and BOM included.
   */
  stored?: { bom: boolean; crlf: boolean };
}

/**
 * The run's virtual tree: every change lands here first, dry run or not. Reporters read it;
 * the disk sink flushes it only with --write. Conflicting writes are caught here, before disk.
 */
export class VirtualTree {
  private readonly changes = new Map<string, FileChange>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly readOriginal: (path: string) => string | undefined) {}

  /**
   * Record a file's new text. `emitted` marks a whole file written by a transform (e.g. the handle store):
   * it may create a file but never replace one the user already has with different content.
   */
  record(path: string, after: string, transforms: readonly string[], emitted = false): void {
    const prior = this.changes.get(path);
    if (prior && prior.after !== after) {
      this.diagnostics.push(fileError(path, 'conflict', `two independent parts of the project produce different contents for ${path}; left unchanged`));
      this.changes.delete(path);
      return;
    }
    if (prior) return;
    const before = this.readOriginal(path);
    if (before === after) return;
    if (emitted && before !== undefined) {
      this.diagnostics.push(fileError(path, 'conflict', `refusing to overwrite ${path}, which the project already has with other contents`));
      return;
    }
    this.changes.set(path, { path, before, after, transforms: [...transforms] });
  }

  /** Replace the content of a recorded change (formatting), keeping its provenance. */
  update(path: string, after: string): void {
    const change = this.changes.get(path);
    if (change) this.changes.set(path, { ...change, after });
  }

  list(): FileChange[] {
    return [...this.changes.values()].sort((a, b) => a.path.localeCompare(b.path));
  }
}
