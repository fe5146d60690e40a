import type { Node, Project, SourceFile } from 'ts-morph';
import type { Diagnostic } from './diagnostics.js';
import type { PatternId, RuleId } from '../rules/rules.js';
import type { SdkLine } from '../rules/sdk.js';

/** A value a user can set for a transform with `--set transform.option=value`. */
export interface TransformOption {
  name: string;
  description: string;
  default: string | boolean;
  /** When present, the value must be one of these. */
  choices?: readonly string[];
}

export type OptionValues = Readonly<Record<string, string | boolean>>;

/** Everything a transform may touch while it runs over one source file. */
export interface TransformContext {
  /** The file being transformed; edit it through ts-morph (edits outside the touched nodes keep their text). */
  readonly file: SourceFile;
  /** Path relative to the run root, forward slashes. */
  readonly relPath: string;
  /** The project holding this file and every file it is connected to by relative imports. */
  readonly project: Project;
  /** SDK line this file imports, when it imports one. */
  readonly sdk: SdkLine | undefined;
  /** Option values for this transform, defaults filled in. */
  readonly options: OptionValues;
  /** Record a diagnostic about this file (file path is filled in). */
  report(diagnostic: Omit<Diagnostic, 'file' | 'transform'>): void;
  /**
   * Leave one `@mcp-sessionless-todo(<rule>)` comment above the statement holding `node` and report it.
   * Never inserted twice: a second run over migrated code finds the marker and does nothing.
   */
  addMarker(node: Node, rule: RuleId, message: string): void;
  /**
   * Write a whole file into the run's virtual tree (root-relative path), e.g. the handle-store module.
   * Two writes of different content to one path are a conflict, reported before anything touches disk.
   */
  emitFile(relPath: string, content: string): void;
  /** Whether a root-relative path exists in the project on disk or in the virtual tree. */
  fileExists(relPath: string): boolean;
}

export interface Transform {
  /** Stable kebab-case id used by `--transforms` and in reports. */
  id: string;
  title: string;
  description: string;
  rules: readonly RuleId[];
  patterns: readonly PatternId[];
  /**
   * Cheap text test run before parsing: a file that does not match is never parsed for this transform.
   * Keep it broad (false negatives lose fixes); precision comes from the AST checks in `apply`.
   */
  vocabulary: RegExp;
  options?: readonly TransformOption[];
  apply(context: TransformContext): void;
}
