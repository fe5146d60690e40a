import { resolve } from 'node:path';
import type { FileChange } from '../engine/vfs.js';
import { defaultDirectory } from './names.js';
import type { NewProjectOptions } from './new-options.js';
import { renderNewProject, type FileMap } from './render-new.js';
import { assertWritableTarget, planFiles } from './writer.js';

/** Where and how `new` writes. */
export interface NewProjectTarget {
  /** Target folder; default ./<name without scope>. */
  directory?: string;
  /** Base for a relative `directory`; default process.cwd(). */
  cwd?: string;
  /** Write into a non-empty folder (same-path files are overwritten, others left alone). */
  force?: boolean;
}

/** A rendered project and what writing it would change on disk. */
export interface NewProjectPlan {
  root: string;
  options: NewProjectOptions;
  /** Every generated file. */
  files: FileMap;
  /** The subset that differs from what is on disk (all of them in an empty folder). */
  changes: FileChange[];
}

/** Render the project and check the target; nothing is written. Refuses a non-empty folder unless forced. */
export function planNewProject(options: NewProjectOptions, target: NewProjectTarget = {}): NewProjectPlan {
  const root = resolve(target.cwd ?? process.cwd(), target.directory ?? defaultDirectory(options.name));
  assertWritableTarget(root, target.force ?? false);
  const files = renderNewProject(options);
  return { root, options, files, changes: planFiles(root, files) };
}
