/**
 * `analyzeProject`: build the ServerModel of a ts-morph project in one pass over its files.
 * Order matters: registrations and entry points first (everything else is attributed to them), then the
 * call graph, then state (whose keys need the parameter roles), then what depends on state.
 */
import { Node, ts, type Project, type SourceFile } from 'ts-morph';
import { findClientContext } from './client-context.js';
import { AnalysisContext } from './context.js';
import { leadsNowhere } from './dead-ends.js';
import { resolveFunction } from './functions.js';
import { findListMutations } from './lists.js';
import type { Registration, RequestHandler, ServerModel, SessionIdRead, StateVariable, TransportSite } from './model.js';
import { Origins } from './origins.js';
import { markSessionPushes } from './pushes.js';
import { markRootsState } from './roots-state.js';
import { findPlumbing, findSessionIdReads } from './plumbing.js';
import { Reach, type OtherRoot } from './reach.js';
import { findUnsolicitedRequests } from './unsolicited.js';
import { findRegistrations } from './registrations.js';
import { findFactories, findServers, findTransports } from './servers.js';
import { findStates } from './state.js';
import { enclosingFunction, unwrap } from './syntax.js';
import { LIFECYCLE_CALLBACKS, STATELESS_HELPERS } from './vocabulary.js';

export interface AnalyzeOptions {
  /** Analyse only these files of the project (default: all). Imports between them are followed; others are not. */
  files?: readonly SourceFile[];
}


/**
 * The last model of each project, with the parsed texts it was built from. Migration analyses a group
 * before each state transform and once more at the end; when nothing was edited in between, every edit
 * re-parses a file (new compiler source file), so identical compiler files mean the model still holds.
 * Callers treat the model as read-only.
 */
const lastModels = new WeakMap<Project, { sources: readonly ts.SourceFile[]; model: ServerModel }>();

export function analyzeProject(project: Project, options: AnalyzeOptions = {}): ServerModel {
  const files = options.files ?? project.getSourceFiles();
  const sources = files.map((file) => file.compilerNode);
  const last = lastModels.get(project);
  if (last && last.sources.length === sources.length && last.sources.every((source, i) => source === sources[i])) return last.model;
  const model = buildModel(files);
  lastModels.set(project, { sources, model });
  return model;
}

function buildModel(files: readonly SourceFile[]): ServerModel {
  const ctx = new AnalysisContext(files);
  const servers = findServers(ctx);
  const transports = findTransports(ctx);
  const { registrations, requestHandlers } = findRegistrations(ctx);
  const reach = new Reach(ctx, registrations, otherRoots(ctx, transports, requestHandlers, registrations));
  const handlerNodes = new Set<Node>([
    ...registrations.flatMap((r) => (r.handler ? [r.handler] : [])),
    ...requestHandlers.flatMap((h) => (h.handler ? [h.handler] : [])),
  ]);
  const factories = findFactories(ctx, servers, registrations, transports, handlerNodes);
  const origins = new Origins(ctx, reach, registrations);
  const states = findStates(ctx, reach, origins, servers, factories, registrations);
  const sessionIdReads = findSessionIdReads(ctx, reach, origins);
  const flow = { resolver: ctx.resolver, files: ctx.files.map((info) => info.sourceFile), reads: new Set(sessionIdReads.map((read) => read.node)) };
  for (const read of sessionIdReads) if (leadsNowhere(flow, read.node)) read.leadsNowhere = true;
  linkReadsToState(sessionIdReads, states);
  markSessionPushes(ctx, states);
  markRootsState(ctx, states);
  const plumbing = findPlumbing(ctx, transports, states, sessionIdReads);
  const listMutations = findListMutations(ctx, reach, registrations);
  const clientContext = findClientContext(ctx, reach, requestHandlers, states);
  const unsolicitedRequests = findUnsolicitedRequests(ctx, reach);
  const usesStatelessHelpers = ctx.files.some((info) =>
    ctx.nodesOf(info).calls.some((call) => {
      const callee = unwrap(call.getExpression());
      return STATELESS_HELPERS.includes(Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText());
    }),
  );
  return {
    files: ctx.files,
    servers,
    factories,
    registrations,
    requestHandlers,
    states,
    sessionIdReads,
    transports,
    plumbing,
    listMutations,
    clientContext,
    unsolicitedRequests,
    usesStatelessHelpers,
    isHandled: (node) => reach.isHandled(node),
  };
}

/** Entry points besides registrations: session callbacks, `onclose`/`oninitialized`, low-level non-tool handlers. */
function otherRoots(
  ctx: AnalysisContext,
  transports: readonly TransportSite[],
  requestHandlers: readonly RequestHandler[],
  registrations: readonly Registration[],
): OtherRoot[] {
  const out: OtherRoot[] = [];
  for (const transport of transports) {
    for (const callback of transport.callbacks) {
      const fn = Node.isPropertyAssignment(callback) ? resolveFunction(ctx.resolver, callback.getInitializer()) : Node.isMethodDeclaration(callback) ? callback : undefined;
      if (fn) out.push({ node: fn, label: Node.isPropertyAssignment(callback) || Node.isMethodDeclaration(callback) ? callback.getName() : 'session callback' });
    }
  }
  for (const info of ctx.files) {
    for (const assignment of ctx.nodesOf(info).assignments) {
      const left = assignment.getLeft();
      if (!Node.isPropertyAccessExpression(left) || !LIFECYCLE_CALLBACKS.includes(left.getName())) continue;
      const fn = resolveFunction(ctx.resolver, assignment.getRight());
      if (fn) out.push({ node: fn, label: left.getName() });
    }
  }
  for (const handler of requestHandlers) if (handler.handler) out.push({ node: handler.handler, label: handler.method });
  // A resource template's `list` callback answers resources/list.
  for (const registration of registrations) if (registration.listCallback) out.push({ node: registration.listCallback, label: 'resources/list' });
  return out;
}

/**
 * A context session id read (`extra.sessionId`, `ctx.sessionId`) belongs to a session-keyed state when it is, or
 * feeds, the key of one of its accesses. Transport and header reads are plumbing and stay unlinked.
 */
function linkReadsToState(reads: readonly SessionIdRead[], states: readonly StateVariable[]): void {
  // Per state, once: its session-keyed accesses as sets, so each read is checked in constant time per state
  // (a read against every access of every state made large servers quadratic).
  const keyed = states
    .filter((s) => s.dependence === 'session-keyed' || s.dependence === 'routing')
    .map((state) => {
      const accesses = state.accesses.filter((a) => a.keyOrigin === 'session' && a.key);
      return {
        state,
        keys: new Set<Node>(accesses.map((a) => a.key!)),
        containers: new Set<Node>(accesses.flatMap((a) => a.node.getAncestors())),
        handlers: new Set(accesses.flatMap((a) => a.by)),
      };
    });
  for (const read of reads) {
    if (read.source !== 'context') continue;
    const around = [read.node, ...read.node.getAncestors()];
    const fn = enclosingFunction(read.node);
    for (const { state, keys, containers, handlers } of keyed) {
      // The read lies inside a key expression exactly when that key node is the read or one of its ancestors.
      const inKey = around.some((node) => keys.has(node));
      const sameFunction = fn !== undefined && containers.has(fn);
      const sameHandlers = read.by.length > 0 && read.by.every((r) => handlers.has(r));
      if (inKey || sameFunction || sameHandlers) {
        read.keyOf = state;
        break;
      }
    }
  }
}
