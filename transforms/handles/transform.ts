/**
 * The part both handle transforms share: plan the project once (cached per project for the run), then apply
 * each file's share when the runner reaches it.
 */
import type { Project } from 'ts-morph';
import type { TransformContext } from '../../src/engine/transform.js';
import { planProject, type Family, type ProjectPlan } from './project-plan.js';
import { emitStore, readOptions } from './store-file.js';

/**
 * Plans by project. A WeakMap keyed by the run's Project: the runner builds one Project per run and visits its
 * files one by one, and the plan must come from the project as it was before the first of them was edited.
 * Entries go away with their Project.
 */
const plans = new WeakMap<Project, Map<Family, ProjectPlan>>();

function planFor(context: TransformContext, family: Family): ProjectPlan {
  let byFamily = plans.get(context.project);
  if (!byFamily) {
    byFamily = new Map();
    plans.set(context.project, byFamily);
  }
  let plan = byFamily.get(family);
  if (!plan) {
    plan = planProject(context.project, family, readOptions(context));
    byFamily.set(family, plan);
  }
  return plan;
}

export function applyHandlePlan(context: TransformContext, family: Family): void {
  const plan = planFor(context, family);
  const share = plan.files.get(context.relPath);
  if (!share) return;
  if (context.file.getFullText() !== share.text) {
    throw new Error(`${context.relPath} changed after the handle migration was planned`);
  }
  for (const marker of share.markers) {
    const node = context.file.getDescendantAtPos(marker.pos) ?? context.file;
    context.addMarker(node, marker.rule, marker.message);
  }
  if (!share.edits.isEmpty) {
    const text = share.edits.apply();
    context.file.replaceWithText(text);
    if (plan.storePath) emitStore(context, plan.storePath, readOptions(context));
  }
  for (const result of share.results) {
    context.report({ level: 'info', rule: result.rule, pattern: result.pattern, line: result.line, column: 1, message: result.summary });
  }
}
