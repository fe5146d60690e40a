import type { OptionValues } from './transform.js';
import type { ProjectFacts } from './project-facts.js';

/** One group of connected files to transform: what crosses a worker boundary (plain data only). */
export interface TransformJob {
  files: Record<string, string>;
  transformIds: string[];
  /** The registry module the worker loads the transforms from (TransformRegistry.module). */
  registryModule?: string;
  options: Record<string, OptionValues>;
  /** Every source path of the project, so transforms can tell whether a file they would emit exists. */
  existingPaths: string[];
  /** Return each transform's output too (`TransformFilesResult.steps`). */
  recordSteps?: boolean;
  /** Leave the group alone when the audit finds no session dependence in it (see TransformFilesOptions). */
  onlyWithFindings?: boolean;
  /** The project folder, for reading files outside the group. */
  root: string;
  /** What the project on disk says about itself (the SDK release it pins). */
  facts: ProjectFacts;
}
