import { placeOf } from '../shared/place.js';
import { appSessionIdsKept, transportKeptBecause } from '../../src/rules/marker-messages.js';
import { Node, SyntaxKind, type PropertyAccessExpression, type ReturnStatement, type SourceFile } from 'ts-morph';
import { DEFAULT_STREAMABLE_PATH } from '../../src/rules/transport-symbols.js';
import { missingFeature, supportsFeature } from '../../src/rules/sdk-features.js';
import { ownTransportNote, planOwnTransport, type OwnTransport } from './own-transport.js';
import { planHandler, planModule, serveCalls, type HandlerPlan } from './erase.js';
import { lateRegistration, resolveFactory, resolveFactoryFunction, usesOnlyOuterNames, type ParameterPolicy, type ServerFactory } from './factory.js';
import { configurationState, starterOf } from './starters.js';
import { guardState } from './http-guards.js';
import { projectLookup, reachableModules } from './followed.js';
import { serverRequestSites } from './server-requests.js';
import { redirectCall, sessionCountsIn, sessionStoreOf, STORE_STEP, type SessionCount } from './entry-shapes.js';
import { buildHttpEdits } from './http-edits.js';
import { transportOptions } from './http-options.js';
import { blocked, type PhaseInput, type PhaseOutput } from './phase.js';
import { analysePlumbing, constructsSessions, findConstructions, optionsOf, type Construction, type Plumbing } from './plumbing.js';
import { setsOwnSessionHeader } from './own-session-header.js';
import { appSessionIdOrigin, scopeOpensSessions } from '../shared/minted-ids.js';
import { findRegistrations, findRequestHelpers, type Registration } from './routes.js';
import { findMountedElsewhere } from './mounted-elsewhere.js';
import { relativeOf } from '../../src/engine/parse.js';
import { referencesIn } from '../shared/declarations.js';
import { enclosingFunction, fromColumnZero, type FunctionLike, markerPosition, Resolver, statementOf, thisField, thisMethod, within } from './syntax.js';
import { nodesOfKind } from '../shared/file-index.js';
import { isExported } from '../shared/exports.js';

/**
 * Streamable HTTP (and deprecated HTTP+SSE) entries: find the session routing of a server entry file,
 * decide whether it can be rewritten safely, and hand a complete plan to `buildHttpEdits`.
 */

export type Role = 'post' | 'all' | 'session' | 'sse-open' | 'sse-post';

/** One handler function that serves MCP POSTs after the rewrite. */
export interface Serving {
  fn: FunctionLike;
  registrations: Registration[];
  plan: HandlerPlan;
  /** The function sees every method (app.all, createServer, or shared by several routes). */
  all: boolean;
}

export interface HttpPlan {
  file: SourceFile;
  target: 'v1' | 'v2';
  kind: 'node' | 'web';
  plumbing: Plumbing;
  resolver: Resolver;
  serving: Serving[];
  /** GET/DELETE registrations whose handler is replaced. */
  sessions: Registration[];
  sse: {
    mode: 'none' | 'drop' | 'convert';
    open: Registration[];
    post: Registration[];
    path: string;
    /** Drop mode, HTTP+SSE served by request helpers: the call of the Streamable HTTP helper that takes their place. */
    redirect?: string;
    /** Convert mode, HTTP+SSE served by request helpers that routes call: every message route serves where it is. */
    routed?: boolean;
  };
  /** Module-level statements (and lifecycle callback statements) that go. */
  moduleRemoved: Node[];
  /** Named handler functions (session/SSE routes) that go with their routes. */
  handlerDeclarations: Node[];
  factory: ServerFactory;
  /** The function behind a `call` factory, when it could be found (this file or a relative import). */
  factoryFn?: FunctionLike;
  options: string[];
  /** The local name of the v1 streamable transport class, when it is already imported (or written, see ownTransport). */
  transportClass?: string;
  /** A release without Streamable HTTP: the transport module written into the project, and the note that says so. */
  ownTransport?: OwnTransport & { note: string };
  /** Parameters of request helpers that only carried the transport map, with the argument of every call. */
  droppedParameters: DroppedParameter[];
  /** Report notes about state that now starts fresh per request (it carries its own marker). */
  notes: string[];
  /** Routes outside the endpoint that counted the open sessions: each count becomes 0. */
  sessionCounts: SessionCount[];
  /** Calls in the project that ask the client mid-call (elicitation, sampling), which per-request v1 serving breaks. */
  serverRequests: Node[];
}

/** A helper parameter that carried session plumbing (`sessions: Map<string, Transport>`) and goes with its arguments. */
export interface DroppedParameter {
  parameter: Node;
  arguments: Node[];
}

export function planHttpEntry(input: PhaseInput): PhaseOutput | undefined {
  const { file } = input;
  const resolver = new Resolver();
  const constructions = findConstructions(file, ['node', 'web', 'sse']);
  if (constructions.length === 0) return undefined;
  // Serving that keeps no sessions, around an Mcp-Session-Id the application hands out itself: own-session-header.ts.
  if (constructions.every((c) => constructsSessions(c) === false) && setsOwnSessionHeader(file)) return undefined;
  const registrations = findRegistrations(file, resolver);
  let plumbing = analysePlumbing(file, resolver, registrations, constructions);
  // Mounted handlers that do not route sessions themselves may hand the request to a helper that does.
  const helpers = findRequestHelpers(file, resolver, registrations.filter((r) => !plumbing.registrations.includes(r)));
  if (helpers.length > 0) {
    const deeper = analysePlumbing(file, resolver, [...registrations, ...helpers], constructions);
    if (deeper.registrations.some((r) => r.kind === 'helper')) plumbing = deeper;
  }
  // Nothing here serves the requests: another module may mount this file's handler or hand it its requests.
  if (plumbing.registrations.length === 0) {
    const elsewhere = findMountedElsewhere(file, projectLookup(input));
    const deeper = elsewhere.length > 0 ? analysePlumbing(file, resolver, [...registrations, ...elsewhere], constructions) : undefined;
    if (deeper && deeper.registrations.length > 0) plumbing = deeper;
  }
  let outcome = analyse(input, resolver, constructions, plumbing);
  if (outcome === undefined) return undefined;
  const [first] = constructions;
  // Session ids the application mints for its own sessions key what it keeps: serving without them loses it.
  const appIds = typeof outcome === 'object' && !('markers' in outcome) ? appSessionIdOrigin(constructions.map((c) => optionsOf(c)?.getProperty('sessionIdGenerator'))) : undefined;
  // Unless a session scope's creator opens them now (the tools take its session_id).
  if (appIds && !scopeOpensSessions(input.project, appIds)) outcome = appSessionIdsKept(appIds.text);
  if (typeof outcome === 'string') {
    if (!plumbing.sessionful || !first) return undefined;
    return blocked(file, [{ pos: markerPosition(first.node), rule: 'SL002', message: transportKeptBecause(outcome, 'serve each request statelessly by hand') }]);
  }
  if ('markers' in outcome) return outcome;
  const output = buildHttpEdits(outcome, input.style);
  // While the group is planned: a starter whose rewrite goes through, provided its callers pass a factory.
  if (outcome.factory.kind === 'parameter' && output.edits.size > 0) {
    const starter = starterOf(outcome.factory.fn, outcome.factory.declaration);
    if (starter) input.starters?.probe?.push(starter);
  }
  return output;
}

/** Whether a starter's server parameter may become a factory: allowed while probing, else as `prepare` decided. */
function parameterPolicy(input: PhaseInput): ParameterPolicy {
  return (parameter, fn) => {
    const name = parameter.getName();
    const stays = `the server \`${name}\` is not a local variable (a parameter or an import)`;
    const starter = starterOf(fn, parameter);
    if (!starter || !input.starters) return stays;
    if (input.starters.probe) return undefined;
    const decision = input.starters.decisions.get(starter.key);
    if (decision === true) return undefined;
    return decision ? `the server \`${name}\` is a parameter of \`${starter.name}\`, and ${decision}` : stays;
  };
}

/**
 * Whether the HTTP+SSE routes are one stream route and one message route, or one such pair per block (branches
 * that choose at start-up between routes with and without middleware), every message route on the same path.
 */
function ssePairs(open: readonly Registration[], posts: readonly Registration[]): boolean {
  const blockOf = (r: Registration) => r.statement.getParent();
  const [first] = posts;
  if (!first || posts.some((p) => p.router !== first.router || p.path !== first.path)) return false;
  const blocks = new Set(posts.map(blockOf));
  if (blocks.size !== posts.length) return false;
  return open.every((o) => blocks.has(blockOf(o))) && [...blocks].every((block) => open.some((o) => blockOf(o) === block));
}

function roleOf(registration: Registration, plumbing: Plumbing): Role {
  if (plumbing.constructions.some((c) => c.cls.kind === 'sse' && within(c.node, registration.handler))) return 'sse-open';
  const posts = serveCalls(registration.handler, plumbing).some((call) => call.getExpression().getText().endsWith('.handlePostMessage'));
  if (posts) return 'sse-post';
  return registration.method === 'post' ? 'post' : registration.method === 'all' ? 'all' : 'session';
}

/** A plan, a reason not to rewrite (string), markers for state that blocks it, or undefined (nothing to do). */
function analyse(input: PhaseInput, resolver: Resolver, constructions: readonly Construction[], plumbing: Plumbing): HttpPlan | string | PhaseOutput | undefined {
  const { file } = input;
  const lines = new Set(constructions.map((c) => c.cls.line));
  const streamKinds = new Set(constructions.filter((c) => c.cls.kind !== 'sse').map((c) => c.cls.kind));
  const target = input.options.output === 'v2' || lines.has('v2') ? 'v2' : 'v1';
  if (!plumbing.sessionful && !plumbing.sharedServer && target === 'v1') return undefined;
  if (lines.size > 1) return 'the file mixes SDK v1 and v2 transports';
  if (streamKinds.size > 1) return 'the file mixes Node and web-standard transports';
  const kind = streamKinds.has('web') ? 'web' : 'node';

  if (plumbing.registrations.length === 0) {
    const store = sessionStoreOf(constructions, resolver);
    if (store && constructions[0]) {
      return blocked(file, [{ pos: markerPosition(constructions[0].node), rule: 'SL002', message: transportKeptBecause(`the session transports are kept in \`${store.receiver}\` (handed to \`${store.call}(…)\`${store.where}), which the routes consult instead of a map this transform can follow`, STORE_STEP) }]);
    }
    return unmountedRouting(constructions);
  }
  const roles = new Map<Registration, Role>();
  for (const registration of plumbing.registrations) roles.set(registration, roleOf(registration, plumbing));
  // A function mounted for several methods serves them all.
  for (const registration of plumbing.registrations) {
    const shared = plumbing.registrations.filter((r) => r.handler === registration.handler);
    if (new Set(shared.map((r) => roles.get(r))).size > 1) for (const r of shared) roles.set(r, 'all');
  }
  const withRole = (...wanted: Role[]) => plumbing.registrations.filter((r) => wanted.includes(roles.get(r) as Role));
  const open = withRole('sse-open');
  const posts = withRole('sse-post');
  const streamable = withRole('post', 'all');
  const hasSse = open.length > 0 || posts.length > 0;
  const sseHelper = [...open, ...posts].find((r) => r.kind === 'helper');
  // HTTP+SSE alone, through helpers that routes call (`app.get('/sse', (req, res) => openStream('/messages', req, res))`).
  const routedHelpers = sseHelper !== undefined && streamable.length === 0 && [...open, ...posts].every((r) => r.kind === 'helper' && r.via?.kind === 'route');
  if (sseHelper && streamable.length === 0 && !routedHelpers) return `HTTP+SSE is served through the request helper \`${sseHelper.handlerArg.getText()}\`, which this transform does not convert`;
  if ([...open, ...posts].some((r) => r.kind === 'createServer')) return 'HTTP+SSE is served from a plain node:http handler';
  const sseElsewhere = [...open, ...posts].find((r) => r.elsewhere);
  if (sseElsewhere?.elsewhere) return `HTTP+SSE is served through \`${sseElsewhere.handlerArg.getText()}\`, which ${relativeOf(sseElsewhere.elsewhere)} routes to, and this rewrite changes only the file that builds the transports`;
  const helper = plumbing.registrations.find((r) => r.kind === 'helper');
  if (helper && target === 'v2') return `the session routing lives in the request helper \`${helper.handlerArg.getText()}\`, and a v2 entry is only written into mounted handlers`;
  const path = input.options.path || DEFAULT_STREAMABLE_PATH;
  const sseMode = !hasSse ? 'none' : streamable.length > 0 ? 'drop' : 'convert';
  let ownTransport: HttpPlan['ownTransport'];
  if (sseMode === 'convert' && target === 'v1' && !supportsFeature(input.facts.sdks, 'v1', 'streamable-http')) {
    // No stateless HTTP+SSE exists and the pinned release has no Streamable HTTP transport: one is written for it.
    const missing = missingFeature(input.facts.sdks, 'v1', 'streamable-http');
    const own = kind === 'node' ? planOwnTransport(file, input.existing ?? (() => undefined)) : 'the web-standard transport has no stand-in';
    if (typeof own === 'string') return blocked(file, [{ pos: markerPosition(constructions[0]!.node), rule: 'SL002', message: transportKeptBecause(`${missing}, and ${own}`, 'upgrade the SDK, then run migrate again') }]);
    ownTransport = { ...own, note: ownTransportNote(own, missing) };
  }
  if (sseMode === 'convert' && routedHelpers) {
    // Every message route serves Streamable HTTP where it is; one of them must be the endpoint path already.
    if (open.length === 0 || !posts.some((p) => p.via?.path === path)) return `the HTTP+SSE message routes served through \`${posts[0]?.handlerArg.getText() ?? 'a helper'}\` are not on ${path}`;
  } else if (sseMode === 'convert') {
    // One GET stream route and one POST message route, or such pairs in branches that pick one at start-up
    // (`if (auth) { app.get(…); app.post(…) } else { … }`): every message route on one path of one router.
    const [post] = posts;
    if (open.length === 0 || !post || !ssePairs(open, posts)) return 'the HTTP+SSE endpoints are not one GET stream route and one POST message route';
    // Fresh registration objects: compare by the call they stand for.
    const taken = findRegistrations(file, resolver).some((r) => r.router === post.router && r.path === path && !plumbing.registrations.some((p) => p.call === r.call));
    if (taken) return `the app already has routes on ${path}`;
  }
  const servingRegistrations = sseMode === 'convert' ? posts : streamable;
  if (servingRegistrations.length === 0) return 'no handler serves MCP POST requests';

  const serving: Serving[] = [];
  for (const registration of servingRegistrations) {
    const existing = serving.find((s) => s.fn === registration.handler);
    if (existing) {
      existing.registrations.push(registration);
      continue;
    }
    const plan = planHandler(registration.handler, plumbing);
    const answer = answerStatement(plan);
    // Only an answer beside the statement the new code replaces can stay where it was.
    const beside = answer !== undefined && answersBeside(plan);
    if (beside && kind === 'web') plan.answerInto = responseKeptFor(plan, answer, resolver);
    if (beside && kind === 'node') plan.answerAfter = answerApartFromServing(plan, answer, plumbing);
    // The answer reads the response the new code keeps under the same name: it stays as written.
    if (plan.answerInto) plan.removed = plan.removed.filter((statement) => statement !== answer);
    if (answer && !plan.answerInto && !plan.answerAfter) return `the handler answers its framework after the transport served the request (\`${answer.getExpressionOrThrow().getText()}\`), which the per-request code does not carry over`;
    if (plan.problems.length > 0 && registration.kind === 'helper' && !plan.serveCall) {
      return `the request helper \`${registration.handlerArg.getText()}\` hands the session's transport back to its caller instead of serving the request`;
    }
    if (plan.problems.length > 0) return plan.problems[0];
    if (plan.resolver) {
      const name = registration.handlerArg.getText();
      if (target === 'v2') return `the request helper \`${name}\` hands a transport back to its callers, and a v2 entry (createMcpHandler) serves the request itself; rewrite its callers by hand or keep v1 output`;
      if (kind !== 'node' || !registration.exchange) return `the request helper \`${name}\` hands a transport back to its callers without the response it could close it with`;
      if (plan.resolver.failure === undefined) return `the request helper \`${name}\` always hands a transport back, so it has no way to answer GET and DELETE with 405 itself`;
    }
    serving.push({ fn: registration.handler, registrations: [registration], plan, all: roles.get(registration) === 'all' || registration.kind !== 'route' });
  }
  const sessionRoles = withRole('session');
  // Only GET/DELETE on the MCP endpoint itself are session routes; another route that reads session state
  // (a health check counting sessions) is application code we must not replace.
  // A request helper serves the route that hands it the request (`app.post('/mcp', (req, res) => this.handleMcp(req, res))`).
  const endpoint = new Set(servingRegistrations.map((r) => r.via ?? r).map((r) => `${r.router} ${r.path}`));
  const strays = sessionRoles.filter((r) => !endpoint.has(`${r.router} ${r.path}`));
  // A route that only counts the open sessions (a health check) keeps working: there are none any more.
  const sessionCounts: SessionCount[] = [];
  for (const stray of strays) {
    const counts = sessionCountsIn(stray, plumbing);
    if (!counts) {
      return blocked(file, [{ pos: markerPosition(stray.statement), rule: 'SL002', message: transportKeptBecause(`the ${stray.method.toUpperCase()} ${stray.path} route reads the session map`, 'make it independent of sessions, then run migrate again') }]);
    }
    sessionCounts.push({ route: stray, counts });
  }
  const sessions = sessionRoles.filter((r) => !strays.includes(r));
  const handlers = plumbing.registrations.map((r) => r.handler);
  // Statements that mount routes here (a function another module mounts stands where it is declared: not a route).
  const entry = plumbing.registrations.filter((r) => !r.elsewhere).map((r) => r.statement);
  const modulePlan = planModule(file.getStatements(), plumbing, entry, handlers);
  if (modulePlan.problems[0]) return modulePlan.problems[0];

  // Route handlers declared by name (`const handleSessionRequest = …`) go when every use of them goes.
  const replacedArgs = [...sessions, ...(sseMode === 'none' ? [] : open), ...(sseMode === 'drop' ? posts : [])].map((r) => r.handlerArg);
  const handlerDeclarations: Node[] = [];
  for (const arg of replacedArgs) {
    // `this.handleSessionRequest.bind(this)`, `this.post`: a member of the class, gone when only these mounts used it.
    const member = mountedMember(arg);
    if (member) {
      if (handlerDeclarations.includes(member.declaration)) continue;
      if (member.uses.some((use) => !replacedArgs.some((a) => within(use, a)))) return `the handler \`${arg.getText()}\` is used elsewhere too`;
      handlerDeclarations.push(member.declaration);
      continue;
    }
    if (!Node.isIdentifier(arg)) continue;
    const declaration = resolver.of(arg);
    const statement = declaration && (Node.isFunctionDeclaration(declaration) ? declaration : declaration.getParent()?.getParent());
    if (!statement || handlerDeclarations.includes(statement)) continue;
    const uses = referencesIn(file).filter((id) => resolver.of(id)?.compilerNode === declaration.compilerNode);
    if (uses.some((id) => !replacedArgs.some((a) => within(id, a)))) return `the handler \`${arg.getText()}\` is used elsewhere too`;
    if (Node.isVariableStatement(statement) || Node.isFunctionDeclaration(statement)) {
      if (isExported(statement)) return `the handler \`${arg.getText()}\` is exported`;
      handlerDeclarations.push(statement);
    }
  }

  // Request helpers serving HTTP+SSE next to Streamable HTTP go whole: how they built servers does not matter.
  const goingHelpers = sseHelper && sseMode === 'drop' ? [...open, ...posts].map((r) => r.handler) : [];
  const scope = [...handlers.filter((h) => !goingHelpers.includes(h)), ...modulePlan.removed];
  const factoryResult = resolveFactory(file, plumbing, resolver, scope, handlers, parameterPolicy(input));
  if ('problem' in factoryResult) return factoryResult.problem;
  if (factoryResult.factory.kind === 'parameter') {
    const state = configurationState(factoryResult.factory.configure, resolver);
    if (state) return state;
  }
  if (factoryResult.factory.kind === 'call' && factoryResult.factory.connects !== undefined && target === 'v2') {
    return `\`${factoryResult.factory.callee.getText()}\` builds and connects a server itself, and createMcpHandler needs a function that returns one`;
  }
  if (factoryResult.factory.kind === 'shared' && (target === 'v2' || kind !== 'node')) {
    return target === 'v2'
      ? `the server \`${factoryResult.factory.expression}\` is one object the handler cannot build again, and createMcpHandler needs a function that builds one per request`
      : `the server \`${factoryResult.factory.expression}\` is one object the handler cannot build again, and only Node handlers can take turns with it`;
  }
  const factoryProblem = checkFactory(factoryResult.factory, file, resolver, handlers, [...modulePlan.removed, ...handlers]);
  if (factoryProblem) return factoryProblem;
  const lookup = projectLookup(input);
  const factoryFn = resolveFactoryFunction(factoryResult.factory, resolver, lookup);
  const verdict = guardState(input, plumbing, resolver, factoryFn, constructions, lookup);
  if ('blocked' in verdict) return verdict.blocked;
  const options = transportOptions(constructions, target);
  if (typeof options === 'string') return options;
  // HTTP+SSE helpers that go keep their parameters: they go whole.
  const going = sseMode === 'drop' ? [...open, ...posts] : [];
  const droppedParameters = helperParameters(file, plumbing, resolver, going);
  if (typeof droppedParameters === 'string') return droppedParameters;
  const factory = factoryResult.factory;
  // A helper parameter the session plumbing also flows through is the helper's business, not a server to build.
  if (factory.kind === 'parameter' && droppedParameters.some((d) => d.parameter === factory.declaration)) {
    return `the server \`${factory.variable}\` is not a local variable (a parameter or an import)`;
  }
  const redirect = sseHelper && sseMode === 'drop' ? redirectCall([...open, ...posts], streamable, droppedParameters) : undefined;
  if (typeof redirect === 'object') return redirect.problem;

  const transportClass = kind === 'node' || kind === 'web' ? constructions.find((c) => c.cls.kind === kind)?.node.getExpression().getText() : undefined;
  return {
    file,
    target,
    kind,
    plumbing,
    resolver,
    serving,
    sessions,
    sse: { mode: sseMode, open, post: posts, path, redirect, routed: routedHelpers },
    moduleRemoved: modulePlan.removed,
    handlerDeclarations,
    factory: factoryResult.factory,
    factoryFn,
    options,
    transportClass: ownTransport?.className ?? transportClass,
    ownTransport,
    droppedParameters,
    notes: verdict.notes,
    sessionCounts,
    serverRequests: serverRequestSites(reachableModules(file, lookup)),
  };
}

/**
 * The helper parameters that held session plumbing (the transport map its caller passes in). Once the helper
 * serves each request on its own they are dead, so each goes together with its argument at every call; the
 * caller's map is then unused and the orphan pass removes it. Every use of the helper must be such a call.
 */
function helperParameters(file: SourceFile, plumbing: Plumbing, resolver: Resolver, going: readonly Registration[]): DroppedParameter[] | string {
  const out: DroppedParameter[] = [];
  const helpers = [...new Set(plumbing.registrations.filter((r) => r.kind === 'helper' && !going.includes(r)).map((r) => r.handler))];
  for (const helper of helpers) {
    const parameters = helper.getParameters().filter((p) => plumbing.seeds.has(p.compilerNode));
    if (parameters.length === 0) continue;
    const registration = plumbing.registrations.find((r) => r.handler === helper);
    const name = registration?.handlerArg.getText() ?? 'the helper';
    // Its callers are in another module, which this rewrite does not change.
    if (registration?.elsewhere) return `the request helper \`${name}\` is handed session plumbing by ${relativeOf(registration.elsewhere)}, which this file's rewrite does not change`;
    const declaration = Node.isFunctionDeclaration(helper) ? helper : helper.getParent();
    const uses = referencesIn(file).filter((id) => declaration && resolver.of(id)?.compilerNode === declaration.compilerNode && !within(id, declaration));
    const calls = uses.map((id) => id.getParent()).filter((call) => call && Node.isCallExpression(call) && call.getExpression().getText() === name);
    if (calls.length !== uses.length) return `the request helper \`${name}\` is used other than by calling it`;
    for (const parameter of parameters) {
      const index = helper.getParameters().indexOf(parameter);
      const args = calls.map((call) => (Node.isCallExpression(call) ? call.getArguments()[index] : undefined));
      if (args.some((a) => a === undefined || !Node.isIdentifier(a))) return `a call of the request helper \`${name}\` does not pass its transport map by name`;
      out.push({ parameter, arguments: args as Node[] });
    }
  }
  return out;
}

/**
 * `await transport.handleRequest(req, res); …; return c.body(null)`: a handler that hands the framework a value of
 * its own once the transport has answered (Hono serving through the Node response). Unless the per-request code
 * keeps it, that value, and whatever guarded the response before it, would be lost: the return statement.
 */
function answerStatement(plan: HandlerPlan): ReturnStatement | undefined {
  const served = plan.serveCall ? statementOf(plan.serveCall) : undefined;
  const block = served?.getParent();
  if (!served || !block || !Node.isBlock(block)) return undefined;
  const after = block.getStatements().slice(block.getStatements().indexOf(served as never) + 1);
  const answer = after.find((statement) => Node.isReturnStatement(statement) && statement.getExpression() !== undefined);
  return answer && Node.isReturnStatement(answer) ? answer : undefined;
}

/**
 * Whether the serve call's statement is the one the new code replaces, so what follows it stays where it was. One
 * inside a statement that goes whole (a try whose catch reads the session id) takes its answer with it.
 */
function answersBeside(plan: HandlerPlan): boolean {
  return plan.serveCall !== undefined && statementOf(plan.serveCall) === plan.anchor;
}

/**
 * A web transport's response kept in a variable that the answer reads (`const response = await
 * transport.handleRequest(c)`, then `return response ?? c.body(null, 204)`): its name, so the new code keeps the
 * response under it and the answer stays. Any other answer (built apart from the response) is not carried over.
 */
function responseKeptFor(plan: HandlerPlan, answer: ReturnStatement, resolver: Resolver): string | undefined {
  const call = plan.serveCall;
  const served = call ? statementOf(call) : undefined;
  if (!call || !served || !Node.isVariableStatement(served)) return undefined;
  const [declaration, ...more] = served.getDeclarations();
  if (!declaration || more.length > 0 || !Node.isIdentifier(declaration.getNameNode())) return undefined;
  const initializer = declaration.getInitializer();
  const value = initializer && Node.isAwaitExpression(initializer) ? initializer.getExpression() : initializer;
  if (value !== call) return undefined;
  return referencesIn(answer).some((id) => resolver.of(id) === declaration) ? declaration.getName() : undefined;
}

/**
 * Node transports: the statements from the serve call to the handler's answer (`sealResponse(); return
 * c.body(null);`) when none of them touches the session routing, so they mean the same after the new serving code:
 * their text, written from column 0. Undefined when any of them does.
 */
function answerApartFromServing(plan: HandlerPlan, answer: ReturnStatement, plumbing: Plumbing): string[] | undefined {
  const served = plan.serveCall ? statementOf(plan.serveCall) : undefined;
  const block = served?.getParent();
  if (!served || !block || !Node.isBlock(block)) return undefined;
  const statements = block.getStatements();
  const between = statements.slice(statements.indexOf(served as never) + 1, statements.indexOf(answer as never) + 1);
  if (between.some((statement) => plumbing.touches(statement))) return undefined;
  return between.map((statement) => fromColumnZero(statement));
}

/**
 * A handler mounted as a member of the class (`this.handleSessionRequest.bind(this)`, or `this.post` naming an
 * arrow-function field): its declaration and every `this.<name>` use of it in the class.
 */
function mountedMember(arg: Node): { declaration: Node; uses: Node[] } | undefined {
  const bound = Node.isCallExpression(arg) && Node.isPropertyAccessExpression(arg.getExpression()) ? (arg.getExpression() as PropertyAccessExpression).getExpression() : arg;
  const declaration = thisMethod(bound) ?? thisField(bound);
  if (!declaration || !Node.isPropertyAccessExpression(bound)) return undefined;
  const owner = declaration.getParentOrThrow();
  const uses = nodesOfKind(owner, SyntaxKind.PropertyAccessExpression).filter((access) => access.getExpression().getKind() === SyntaxKind.ThisKeyword && access.getName() === bound.getName());
  return { declaration, uses };
}

/** Why no handler was found: where the transports are built, named so that a person can find it. */
function unmountedRouting(constructions: readonly Construction[]): string {
  const first = constructions.find((c) => c.cls.kind !== 'stdio');
  // The nearest function with a name (an async IIFE or a callback inside a method is not one).
  let name: string | undefined;
  for (let fn = first ? enclosingFunction(first.node) : undefined; fn && !name; fn = enclosingFunction(fn)) {
    if (Node.isMethodDeclaration(fn)) name = `the method \`${fn.getName()}\``;
    else if (Node.isFunctionDeclaration(fn) && fn.getName()) name = `the function \`${fn.getName()}\``;
  }
  const where = name ? `the transports are built in ${name}, which` : 'the session routing';
  return `${where} is not a route handler (app.post(…), createServer(…)) or a helper one hands its request and response to`;
}

/** `server.connect(stdio)`, `server.close()`, `export { server }`: uses one instance of the server serves as before. */
function isInstanceUse(id: Node): boolean {
  const parent = id.getParent();
  if (parent && Node.isExportSpecifier(parent)) return true;
  const call = parent?.getParent();
  if (!parent || !Node.isPropertyAccessExpression(parent) || parent.getExpression() !== id || !call || !Node.isCallExpression(call) || call.getExpression() !== parent) return false;
  if (parent.getName() === 'close') return true;
  const [transport] = call.getArguments();
  return parent.getName() === 'connect' && transport !== undefined && /stdio/i.test(transport.getType().getText() + transport.getText());
}

/**
 * A factory can only move where the new code needs it: a module-wide server must not be used by anything
 * but its configuration and the session routing; statements moved out of a handler must not use the
 * handler's own variables; a factory call the v2 entry makes at module level must not either.
 */
function checkFactory(factory: ServerFactory, file: SourceFile, resolver: Resolver, handlers: readonly FunctionLike[], going: readonly Node[]): string | undefined {
  // A shared server stays where it is: nothing moves.
  if (factory.kind === 'shared') return undefined;
  if (factory.kind === 'call') {
    if (factory.declaration) {
      const statement = factory.declaration.getParentOrThrow().getParentOrThrow();
      const stray = referencesIn(file).find(
        (id) => resolver.of(id)?.compilerNode === factory.declaration?.compilerNode && !going.some((g) => within(id, g)) && !within(id, statement),
      );
      if (stray) return `the server \`${stray.getText()}\` is also used ${placeOf(stray)}`;
    }
    return undefined;
  }
  const moved = factory.kind === 'parameter' ? factory.configure : [factory.declaration.getParentOrThrow().getParentOrThrow(), ...factory.configure];
  const strays = referencesIn(file).filter(
    (id) => resolver.of(id)?.compilerNode === factory.declaration.compilerNode && ![...moved, ...going].some((g) => within(id, g)),
  );
  // Registrations a module-wide server took after start-up are replayed on every server the factory builds.
  const replayed = factory.kind === 'singleton' ? strays.map(lateRegistration).filter((call) => call !== undefined) : [];
  const others = strays.filter((id) => !replayed.some((call) => (call.getExpression() as PropertyAccessExpression).getExpression() === id));
  // A module-wide server the module also connects to stdio, closes or exports keeps one instance for those uses.
  const kept = factory.kind === 'singleton' && others.length > 0 && others.every(isInstanceUse);
  const stray = kept ? undefined : others[0];
  if (stray) return `the server \`${factory.variable}\` is also used ${placeOf(stray)}`;
  if (factory.kind === 'singleton') {
    if (kept) factory.keep = true;
    if (replayed.length > 0) factory.replayed = replayed;
  }
  if (factory.kind === 'inline') {
    for (const node of moved) {
      const local = usesOnlyOuterNames(node, handlers, resolver, moved);
      if (local) return `building the server uses \`${local}\`, a variable of the request handler`;
    }
  }
  return undefined;
}
