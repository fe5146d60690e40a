import type { Node, Project, SourceFile } from 'ts-morph';
import type { Diagnostic } from './diagnostics.js';
import type { PatternId, RuleId } from '../rules/rules.js';
import type { SdkLine } from '../rules/sdk.js';
import type { SdkFeature } from '../rules/sdk-features.js';
import type { ProjectFacts } from './project-facts.js';

/** A value a user can set for a transform with `--set transform.option=value`. */
export interface TransformOption {
  name: string;
  description: string;
  default: string | boolean;
  /** When present, the value must be one of these. */
  choices?: readonly string[];
  /** Checks a given value before anything runs: returns why it is refused, or undefined when it is fine. */
  validate?(value: string): string | undefined;
}

export type OptionValues = Readonly<Record<string, string | boolean>>;

/** What a transform sees once per group of connected files, before any file is edited. */
export interface PrepareContext {
  /** The project holding every file of the group, as the previous transforms left it. */
  readonly project: Project;
  /** Root-relative paths of the group's files that parsed. */
  readonly files: readonly string[];
  readonly options: OptionValues;
  /** Whether a root-relative path exists in the group, on disk, or among files emitted so far. */
  fileExists(relPath: string): boolean;
  /** The text of an existing file (in the group, else on disk), e.g. to tell whether a module there is one the transform wrote. */
  readExisting(relPath: string): string | undefined;
  /** What the project on disk says about itself: the SDK releases it uses (nothing in memory-only runs). */
  readonly facts: ProjectFacts;
  /** Whether code for this SDK line may use `feature` in the release the project pins (true when unknown). */
  supports(line: SdkLine | undefined, feature: SdkFeature): boolean;
}

/** Everything a transform may touch while it runs over one source file. */
export interface TransformContext<Plan = unknown> {
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
  /** What `prepare` returned for this group (undefined when the transform has no `prepare`). */
  readonly plan: Plan;
  /** Record a diagnostic about this file (file path is filled in). */
  report(diagnostic: Omit<Diagnostic, 'file' | 'transform'>): void;
  /**
   * Leave one `@mcp-sessionless-todo(<rule>)` comment above the statement holding `node` and report it.
   * Never inserted twice: a second run over migrated code finds the marker and does nothing.
   */
  addMarker(node: Node, rule: RuleId, message: string, pattern?: PatternId): void;
  /**
   * Write a whole file into the run's virtual tree (root-relative path), e.g. the handle-store module.
   * Two writes of different content to one path are a conflict, reported before anything touches disk.
   */
  emitFile(relPath: string, content: string): void;
  /** Whether a root-relative path exists in the project on disk or in the virtual tree. */
  fileExists(relPath: string): boolean;
  /** The text of an existing file (emitted in this run, in the group, else on disk). */
  readExisting(relPath: string): string | undefined;
  /** What the project on disk says about itself: the SDK releases it uses (nothing in memory-only runs). */
  readonly facts: ProjectFacts;
  /**
   * Whether this file's code may use `feature` in the SDK release the project pins (true when unknown). A
   * transform that would write a feature the release lacks writes what that release supports instead, or a marker.
   */
  supports(feature: SdkFeature): boolean;
}

export interface Transform<Plan = unknown> {
  /** Stable kebab-case id used by `--transforms` and in reports. */
  id: string;
  title: string;
  description: string;
  rules: readonly RuleId[];
  patterns: readonly PatternId[];
  /**
   * Cheap text test run before parsing: files that match (and the files they import) are the only ones parsed,
   * and a transform runs on a group of connected files only when one of them matches. Without `prepare`, `apply`
   * is called on matching files only; with it, on every file of the group. Name MCP or session vocabulary here,
   * not general syntax (`let`, `new Map`): matching ordinary code makes every file of a project get parsed.
   */
  vocabulary: RegExp;
  options?: readonly TransformOption[];
  /**
   * Optional: look at the whole group once, before any file is edited, and return a plan that every `apply`
   * call of this group receives as `context.plan`. For transforms whose edits span files (state declared in one
   * module, created in a second, cleaned up in a third) and must agree. Called only for groups where some file
   * matches `vocabulary`.
   */
  prepare?(context: PrepareContext): Plan;
  apply(context: TransformContext<Plan>): void;
}
