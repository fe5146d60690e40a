import type { SourceFile } from 'ts-morph';
import type { Transform } from '../src/engine/transform.js';
import type { SdkLine } from '../src/rules/sdk.js';
import { analyseCacheScope } from './lists/cache-scope.js';
import { analyseCapabilityGates } from './lists/capability-gates.js';
import { planConnectionRegistrations, type ConnectionPlan } from './lists/connection-plan.js';
import { analyseDerivedLists } from './lists/derived-lists.js';
import { analyseDynamicResources } from './lists/dynamic-resources.js';
import { analyseGates } from './lists/gates.js';
import { findRegistrations, findRequestHandlers, handlerSites } from './lists/handlers.js';
import { analyseListChanged } from './lists/list-changed.js';
import { merge, settle, type Findings } from './lists/steps.js';

function analyse(file: SourceFile, sdk: SdkLine, resourceLinks: boolean, relPath: string, plan: ConnectionPlan | undefined): Findings {
  // Tools registered per connection go first: they move to start-up before the other passes look at them.
  const connection = analyseCapabilityGates({ file, sdk, relPath }, plan);
  if (connection.edits.length > 0) return connection;
  const registrations = findRegistrations(file);
  const requests = findRequestHandlers(file);
  const scan = { file, sdk, registrations, requests, sites: handlerSites(registrations, requests), resourceLinks };
  // Resources first: their rewrite removes registrations that the gate pass would otherwise look at.
  // Each round applies one edit, so later passes only run once the earlier ones have nothing left.
  const resources = merge(analyseDerivedLists(scan), analyseDynamicResources(scan));
  if (resources.edits.length > 0) return resources;
  const gates = analyseGates(scan);
  if (gates.edits.length > 0) return gates;
  const rewrites = merge(resources, gates, analyseCacheScope(scan, sdk));
  return merge(rewrites, analyseListChanged(scan, rewrites.marks));
}

/**
 * Static lists (SL004, SL010; P4, P8). Under the 2026-07-28 revision tools/list, prompts/list and
 * resources/list must not depend on the connection or on earlier calls:
 * - tools registered in `oninitialized` (directly or through helpers in other modules), typically only
 *   for clients that declared a capability, are registered at start-up; the capability check moves into
 *   the handler, which reads the request's declaration and answers a tool error naming what is missing;
 * - tools and prompts switched on per call (`enable()`/`disable()`, `registerTool` inside a handler) are
 *   registered up front and check, at call time, the state the enabling call set, answering
 *   "call login first" until it holds; the dependency goes into their description;
 * - resources/list built from what calls created becomes a resource template, and the creating tool
 *   returns a `resource_link` (its URI as text on an SDK release that has no resource_link);
 * - lists filtered by the request's credentials stay (that is allowed) and, on v2, are marked
 *   `cacheScope: 'private'`.
 * What cannot be decided is left in place with one marker.
 */
export const staticListsTransform: Transform<ConnectionPlan> = {
  id: 'static-lists',
  title: 'Static tool, prompt and resource lists',
  description:
    'Register every tool, prompt and resource up front: gates become call-time checks with helpful errors, lists derived from earlier calls become resource templates with resource_link results, and credential-filtered lists are cached privately.',
  rules: ['SL004', 'SL010'],
  patterns: ['P4', 'P8'],
  vocabulary: /register(Tool|Prompt|Resource)|\.(tool|prompt|resource)\s*\(|ListChanged|list_changed|ListResourcesRequestSchema|resources\/list|authInfo/,
  prepare(context) {
    return planConnectionRegistrations(context.project, context.files);
  },
  apply(context) {
    const sdk = context.sdk;
    if (!sdk) return;
    const resourceLinks = context.supports('resource-link');
    settle(context, (file) => analyse(file, sdk, resourceLinks, context.relPath, context.plan));
  },
};
