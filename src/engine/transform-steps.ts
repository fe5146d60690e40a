import type { TransformFilesResult, TransformStep } from './run-transforms.js';

/**
 * One step per transform across every group of the run, in run order: groups are independent, so a
 * transform's step for the whole project is the union of its steps in each group.
 */
export function mergeSteps(results: readonly TransformFilesResult[], order: readonly string[]): TransformStep[] {
  const byTransform = new Map<string, Record<string, string>>();
  for (const result of results) {
    for (const step of result.steps ?? []) byTransform.set(step.transform, { ...byTransform.get(step.transform), ...step.files });
  }
  return order.filter((id) => byTransform.has(id)).map((id) => ({ transform: id, files: byTransform.get(id) ?? {} }));
}

/**
 * The text of `path` after each step, for the paths the run finally changes: a path a step did not touch
 * keeps its previous text. `original` gives the text before the run (undefined for a new file).
 */
export function textsAfterStep(steps: readonly TransformStep[], index: number, path: string, original: string | undefined): string | undefined {
  for (let i = index; i >= 0; i--) {
    const text = steps[i]?.files[path];
    if (text !== undefined) return text;
  }
  return original;
}
