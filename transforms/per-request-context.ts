import type { SourceFile } from 'ts-morph';
import type { Transform } from '../src/engine/transform.js';
import type { SdkLine } from '../src/rules/sdk.js';
import { analyseCachedContext } from './lists/context-cached.js';
import { analyseInitializeHandler } from './lists/context-initialize.js';
import { analyseAddressedLogs } from './lists/context-log-address.js';
import { analyseSubscriptionsAndRoots } from './lists/context-subscriptions.js';
import { findRegistrations, findRequestHandlers, handlerSites } from './lists/handlers.js';
import { merge, settle, type Findings } from './lists/steps.js';
import { isAboutRoots, mentionsRoots, rootsTogether } from '../src/rules/context-sdk.js';

function analyse(file: SourceFile, sdk: SdkLine, requestNotifications: boolean): Findings {
  const requests = findRequestHandlers(file);
  const scan = { file, sdk, requests, sites: handlerSites(findRegistrations(file), requests) };
  return foldRoots(merge(analyseCachedContext(scan), analyseSubscriptionsAndRoots(scan), analyseInitializeHandler(scan), analyseAddressedLogs(scan, requestNotifications)));
}

/**
 * Roots asked of the client in several places of a file (at initialize, on roots/list_changed) are one
 * decision, where the paths come from: one marker, at the first place, counting the others.
 */
function foldRoots(findings: Findings): Findings {
  const roots = findings.marks.filter((mark) => isAboutRoots(mark.message)).sort((a, b) => a.node.getStart() - b.node.getStart());
  // A marker that already says roots cannot be asked for (client capabilities read to decide whether to ask) speaks for them.
  const speaker = findings.marks.find((mark) => !roots.includes(mark) && mentionsRoots(mark.message)) ?? roots[0];
  const rest = roots.filter((mark) => mark !== speaker);
  if (!speaker || rest.length === 0) return findings;
  const folded = { ...speaker, message: `${speaker.message} (${rootsTogether(rest.length)})` };
  return { edits: findings.edits, marks: findings.marks.filter((mark) => !rest.includes(mark)).map((mark) => (mark === speaker ? folded : mark)) };
}

/**
 * Per-request context (SL005; P9). Under the 2026-07-28 revision nothing is learned once per
 * connection: every request carries the client's capabilities, identity and log level in its `_meta`
 * envelope, and resource updates go out on `subscriptions/listen` streams.
 * - v2: client capabilities / version cached in `oninitialized` and a log level stored by a
 *   `logging/setLevel` handler are read per request from `ctx.mcpReq.envelope` (through a small helper
 *   written into the file); per-session `resources/subscribe` bookkeeping becomes
 *   `handler.notify.resourceUpdated(uri)` on the module's `createMcpHandler`.
 * - v1: log messages addressed to the session (`sendLoggingMessage(params, extra.sessionId)`) go out on the
 *   request instead (`extra.sendNotification`), since a request served alone has no session stream.
 * - v1, and anything that needs judgment (values read outside handlers, roots fetched at initialize):
 *   one marker with the reason.
 */
export const perRequestContextTransform: Transform = {
  id: 'per-request-context',
  title: 'Per-request context instead of connection state',
  description:
    'Read client capabilities, client info and log level from each request instead of caching them at initialize, and publish resource updates to subscriptions/listen streams instead of per-session subscriber lists.',
  rules: ['SL005'],
  patterns: ['P9'],
  vocabulary: /InitializeRequestSchema|getClientCapabilities|getClientVersion|oninitialized|SetLevelRequestSchema|logging\/setLevel|listRoots|RootsListChanged|roots\/list_changed|SubscribeRequestSchema|resources\/subscribe|sendResourceUpdated|resources\/updated|sendLoggingMessage/,
  apply(context) {
    const sdk = context.sdk;
    if (!sdk) return;
    const requestNotifications = context.supports('request-notification');
    settle(context, (file) => analyse(file, sdk, requestNotifications));
  },
};
