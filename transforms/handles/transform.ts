/**
 * The part both handle transforms share: plan the group once (the engine's prepare step), then apply each
 * file's share when the runner reaches it.
 */
import type { PrepareContext, TransformContext } from '../../src/engine/transform.js';
import { planProject, type Family, type ProjectPlan } from './project-plan.js';
import { emitStore, readOptions } from './store-file.js';
import { makeUpdatesAtomic } from './atomic-updates.js';
import { replaceFileText } from '../../src/engine/parse.js';

/** Plan every file's edits from the group as it is before the first of them is edited. */
export function planHandles(context: PrepareContext, family: Family): ProjectPlan {
  return planProject(context.project, family, { ...readOptions(context), readExisting: context.readExisting, supports: context.supports });
}

export function applyHandlePlan(context: TransformContext<ProjectPlan>): void {
  const { plan } = context;
  const share = plan.files.get(context.relPath);
  if (!share) return;
  if (context.file.getFullText() !== share.text) {
    throw new Error(`${context.relPath} changed after the handle migration was planned`);
  }
  let mapAtomic = (position: number): number => position;
  if (!share.edits.isEmpty) {
    const text = share.edits.apply();
    replaceFileText(context.file, text);
    // Write-backs become functional updates applied inside the store, so concurrent calls lose nothing.
    const atomic = makeUpdatesAtomic(context.file);
    if (atomic) {
      replaceFileText(context.file, atomic.text);
      mapAtomic = atomic.mapPosition;
    }
    if (plan.storePath) emitStore(context, plan.storePath, readOptions(context));
  }
  // Markers are placed on the edited text: a node found before the edit may not survive the re-parse.
  for (const marker of share.markers) {
    const node = context.file.getDescendantAtPos(mapAtomic(share.edits.mapPosition(marker.pos))) ?? context.file;
    context.addMarker(node, marker.rule, marker.message);
  }
  for (const result of share.results) {
    context.report({ level: 'info', rule: result.rule, pattern: result.pattern, line: result.line, column: 1, message: result.summary });
  }
}
