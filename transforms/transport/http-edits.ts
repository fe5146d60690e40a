import { placeOf } from '../shared/place.js';
import { ASKS_MID_CALL, transportKept, transportKeptBecause } from '../../src/rules/marker-messages.js';
import { Node, SyntaxKind, type CallExpression, type Identifier, type PropertyAccessExpression, type SourceFile } from 'ts-morph';
import { V1_STREAMABLE, V2_ENTRY_IMPORTS } from '../../src/rules/transport-symbols.js';
import { namesTransportClass } from './plumbing.js';
import { factoryReference, movedStatements, usesOnlyOuterNames } from './factory.js';
import type { HttpPlan, Serving } from './http-entry.js';
import { importedBindings, v1Specifier } from './imports.js';
import { declaredFunction, serveCalls } from './erase.js';
import { describeSites, inSessionCallback } from './server-requests.js';
import { parameterNames, planSessionCounts, planSseEdits, type EditSink } from './sse-edits.js';
import { markedAlready } from './http-guards.js';
import { countsSessions, droppedWrites, sessionBookkeeping, sessionMetricsCountedIn } from './state-guard.js';
import { closingStatements } from './session-resources.js';
import { responseEndWork } from './response-end.js';
import { keptText, sessionlessAnswer } from './sessionless-answer.js';
import { blocked, type PhaseOutput } from './phase.js';
import { findRegistrations } from './routes.js';
import { keptCollection } from './followed.js';
import { conciseHandler, factoryFunction, inTurnHelper, methodNotAllowedNode, serveLines, sessionBranchLines, sessionRouteHandler, v2HandlerDeclaration } from './snippets.js';
import { indentOf, render, type Style } from './style.js';
import { referencesIn } from '../shared/declarations.js';
import { usedOnlyWhere } from '../shared/local-uses.js';
import { freshName, isFunctionLike, markerPosition, thisAccessesIn, thisField, topLevelStatement, within, type Resolver } from './syntax.js';
import { fieldsSetBefore } from './turn-setup.js';
import { applyStatementActions, statementStart, TextEdits, type MarkerRequest, type StatementAction } from './text-edits.js';

/**
 * Turn an HTTP plan into edits. Everything is decided on the unedited tree; a last safety check makes sure
 * no surviving code still uses something declared in the code that goes, and otherwise the entry is left
 * as it is with one marker.
 */
export function buildHttpEdits(plan: HttpPlan, style: Style): PhaseOutput {
  const { file, resolver, target, kind } = plan;
  // `@hono/mcp`'s transport is handed the Hono context (`handleRequest(c)`), not the request.
  const takesContext = plan.plumbing.constructions.some((c) => c.cls.takesContext);
  const text = file.getFullText();
  const edits = new TextEdits(text);
  const actions = new Map<unknown, { node: Node; action: StatementAction }>();
  const act = (node: Node, action: StatementAction) => actions.set(node.compilerNode, { node, action });
  const nodeEdits: Array<{ node: Node; text: string; at?: 'start' }> = [];
  const markers: MarkerRequest[] = [];
  const problems: string[] = [];
  const remove: StatementAction = { kind: 'remove' };
  const handlers = plan.plumbing.registrations.map((r) => r.handler);
  const { sse } = plan;

  const handlerName = target === 'v2' ? freshName(file, ['mcpHandler']) : '';
  const parameterName = plan.factory.kind === 'parameter' ? freshName(file, ['createServer', 'newServer', 'serverFactory']) : '';
  const needsFunction = plan.factory.kind !== 'call' && plan.factory.kind !== 'shared' && !(plan.factory.kind === 'parameter' && plan.factory.configure.length === 0);
  // A server nothing here can build again: requests take turns with it through one module-level helper.
  const shared = plan.factory.kind === 'shared' ? plan.factory : undefined;
  const turns = shared ? { helper: freshName(file, ['inTurn', 'serveInTurn']), queue: freshName(file, ['mcpTurns', 'mcpServerTurns']) } : undefined;
  const factoryName = needsFunction ? freshName(file, ['buildServer', 'buildMcpServer'], new Set([parameterName])) : '';
  for (const statement of [...plan.moduleRemoved, ...plan.handlerDeclarations]) act(statement, remove);

  // Where the server comes from, for the v1 per-request code (`factoryCall`) and the v2 entry (`factoryRef`).
  let factoryCall = `${factoryName}()`;
  let factoryRef = factoryName;
  const factory = plan.factory;
  const binding = factory.kind === 'call' ? factory.binding : undefined;
  const closeCalls = binding ? siblingCleanup(binding) : [];
  // A method that keeps every server it builds (`this._connectionList.push(connection)`) now keeps one per request.
  const kept = factory.kind === 'call' && plan.factoryFn && Node.isPropertyAccessExpression(factory.callee) ? keptCollection(plan.factoryFn) : undefined;
  if (kept && factory.kind === 'call') {
    markers.push({
      // Above the function that serves the requests: its body is rewritten, and a marker inside would go with it.
      pos: markerPosition(factory.call.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isVariableStatement(a)) ?? factory.call),
      rule: 'SL002',
      message: `\`${factory.callee.getText()}\` keeps what it builds in \`${kept}\`, which now grows with every request: drop each entry when its request ends, or stop keeping them`,
    });
  }
  // The session id a factory was handed (`createServer(() => transport.sessionId)`) is what a stateless
  // transport has: undefined.
  const handedIds = factory.kind === 'call' ? sessionIdsHanded(factory.call, resolver) : [];
  if (factory.kind === 'call') {
    const handedUndefined = (text: string) => (handedIds.length > 0 ? text.replace(factory.call.getText(), withoutSessionIds(factory.call, handedIds)) : text);
    factoryCall = handedUndefined(factory.text);
    const firstRoute = Math.min(...plan.plumbing.registrations.map((r) => r.statement.getStart()));
    factoryRef = handedUndefined(factoryReference(factory, resolver, firstRoute, plan.factoryFn));
    if (factory.declaration) act(factory.declaration.getParentOrThrow().getParentOrThrow(), remove);
  } else if (factory.kind === 'singleton') {
    // The module-wide server becomes a factory where it stands; its configuration moves in with it.
    const statement = factory.declaration.getParentOrThrow().getParentOrThrow();
    const indent = indentOf(text, statement.getStart());
    const pieces = movedStatements([statement, ...factory.configure], () => indent, `${indent}${style.unit}`);
    const replay = factory.replayed ? replayedRegistrations(plan, factory.replayed, factory.variable, style, indent) : undefined;
    if (replay) {
      pieces.push(replay.piece);
      nodeEdits.push(...replay.edits);
      plan.notes.push(`what \`${factory.variable}\` registers after start-up is replayed on every server built per request: clients see it at their next list, with no stream left to announce it (list_changed)`);
    }
    // Still connected to stdio, closed or exported: one instance built by the factory serves those uses.
    const instance = factory.keep ? `\n${indent}${Node.isVariableStatement(statement) ? statement.getDeclarationKind() : 'const'} ${factory.variable} = ${factoryName}()${style.semi}` : '';
    act(statement, { kind: 'replace', text: `${replay?.declaration ?? ''}${factoryFunction(factoryName, pieces, factory.variable, style, indent)}${instance}` });
    for (const configure of factory.configure) act(configure, remove);
  } else if (factory.kind === 'parameter') {
    // The starter is handed a factory now; what it configured on the server it was handed, it configures on each one built.
    const type = factory.declaration.getTypeNode();
    const typeText = type ? (Node.isUnionTypeNode(type) || Node.isIntersectionTypeNode(type) ? `(${type.getText()})` : type.getText()) : undefined;
    nodeEdits.push({ node: factory.declaration, text: `${parameterName}${typeText ? `: () => ${typeText}` : ''}` });
    const [first, ...rest] = factory.configure;
    if (first) {
      const indent = indentOf(text, first.getStart());
      const head = { text: `const ${factory.variable} = ${parameterName}()${style.semi}`, blankBefore: false };
      const pieces = [head, ...movedStatements(factory.configure, () => indent, `${indent}${style.unit}`)];
      act(first, { kind: 'replace', text: factoryFunction(factoryName, pieces, factory.variable, style, indent) });
      for (const configure of rest) act(configure, remove);
    } else {
      factoryCall = `${parameterName}()`;
      factoryRef = parameterName;
    }
  }

  let askedAbove = false;
  // Statements of a session-opening branch kept as per-request code: what they declare lives on.
  const openingNodes: Node[] = [];
  // Statements of a response's close listener that go with it and run at the end of the new code's request.
  const endWorkNodes: Node[] = [];
  const route = plan.serving[0]?.registrations[0]?.statement;
  for (const serving of plan.serving) planServing(serving);
  for (const dropped of plan.droppedParameters) {
    for (const item of [dropped.parameter, ...dropped.arguments]) {
      const [start, end] = listItemRange(item);
      edits.replace(start, end, '');
    }
  }
  // v2: a POST-only mount becomes `all`, so GET and DELETE reach the entry, which answers them with 405.
  if (target === 'v2' && sse.mode !== 'convert') {
    const routes = findRegistrations(file, resolver);
    for (const registration of plan.serving.flatMap((s) => s.registrations)) {
      const callee = registration.call.getExpression();
      const alone = !routes.some((r) => r !== registration && r.router === registration.router && r.path === registration.path && r.call !== registration.call);
      if (registration.kind === 'route' && registration.method === 'post' && alone && Node.isPropertyAccessExpression(callee)) {
        nodeEdits.push({ node: callee.getNameNode(), text: 'all' });
      }
    }
  }
  // GET/DELETE handlers reach the request and response the way the POST handler did (`reply.raw` on Fastify).
  const servingFn = plan.serving[0]?.fn;
  const servingArgs = plan.serving[0]?.plan.serveCall?.getArguments().map((a) => a.getText()) ?? [];
  const servingParams = servingFn ? parameterNames(servingFn) : [];
  const defaults = kind === 'web' ? ['c'] : ['req', 'res'];
  const routeFor = (own: readonly string[], indent: string): string | undefined => {
    const params = own.length >= servingParams.length && own.length > 0 ? own : servingParams.length > 0 ? servingParams : defaults;
    const [servingArg = defaults[0] ?? 'req', servingRes] = servingArgs;
    const servingReq = requestOf(servingArg);
    const req = mapOnto(servingReq, servingParams, params);
    const res = kind === 'node' ? mapOnto(servingRes ?? 'res', servingParams, params) : undefined;
    if (req === undefined || (kind === 'node' && res === undefined)) return undefined;
    return sessionRouteHandler({ target, kind, handler: handlerName, params, req, res }, style, indent);
  };
  for (const registration of plan.sessions) {
    const { statement, handlerArg } = registration;
    const indent = indentOf(text, statement.getStart());
    // What the route answered without a session id is what every request gets now.
    const answer = target === 'v1' ? sessionlessAnswer(registration, plan.plumbing) : undefined;
    if (answer) {
      for (const removed of answer.removed) act(removed, remove);
      act(answer.guard, { kind: 'replace', text: keptText(answer, text, indentOf(text, answer.guard.getStart()), style.unit) });
      plan.notes.push(`the ${registration.method.toUpperCase()} ${registration.path} route now gives every request the answer it gave one without a session id (${firstLine(answer.kept[0]!)}): requests carry none any more`);
      continue;
    }
    const handler = routeFor(parameterNames(registration.handler), indent);
    if (handler === undefined) {
      problems.push(`cannot tell how the ${registration.method.toUpperCase()} handler reaches the request and response`);
      continue;
    }
    // The route is rewritten whole, so comments describing the old session stream or termination go too.
    if (Node.isExpressionStatement(statement) && statement.getExpression() === registration.call) {
      const rewritten = `${text.slice(statement.getStart(), handlerArg.getStart())}${handler}${text.slice(handlerArg.getEnd(), statement.getEnd())}`;
      act(statement, { kind: 'replace', text: `${indent}${rewritten}` });
    } else nodeEdits.push({ node: handlerArg, text: handler });
  }

  const sink: EditSink = {
    act,
    replaceNode: (node, replacement) => nodeEdits.push({ node, text: replacement }),
    mark: (marker) => markers.push(marker),
    problem: (message) => problems.push(message),
  };
  planSseEdits({ plan, style, text, handlerName, routeFor, sink });
  planSessionCounts(plan, sink);

  // The module-level pieces (extracted factory, v2 entry) go in front of the first route that uses them.
  const preamble: string[] = [];
  if (factory.kind === 'inline') {
    // A server the handler built itself: its construction and configuration become a module function.
    const moved = [factory.declaration.getParentOrThrow().getParentOrThrow(), ...factory.configure];
    preamble.push(factoryFunction(factoryName, movedStatements(moved, (m) => indentOf(text, m.getStart()), style.unit), factory.variable, style, ''));
  }
  if (target === 'v2') preamble.push(v2HandlerDeclaration({ kind, name: handlerName, factory: factoryRef, options: plan.options }, style));
  if (preamble.length > 0) placePreamble(preamble);
  if (shared && turns) placeAtModuleLevel(render(inTurnHelper(turns, `this.${shared.field}`, /\.[cm]?tsx?$/.test(file.getFilePath()), style), style, ''));

  const problem = problems[0] ?? safetyProblem();
  const [firstConstruction] = plan.plumbing.constructions;
  // Application state that only the session code wrote: removing that code would stop the writes without a word.
  const moved = movedNodes();
  const routeCallees = findRegistrations(file, resolver).map((r) => r.call.getExpression());
  const dropping = goingNodes().filter((n) => !moved.includes(n));
  const dropped = droppedWrites(dropping, plan.plumbing, handlers, resolver, [...routeCallees, ...endWorkNodes]);
  // A metric of the sessions (`activeSessionsGauge.inc()`) has nothing left to count: its writes go with them.
  const counted = sessionMetricsCountedIn(dropping, resolver);
  const metrics = [...counted, ...dropped.filter((d) => countsSessions(d) && !counted.some((c) => c.name === d.name))];
  for (const metric of metrics) {
    // Only counted, it goes with its counting (the orphan pass); read elsewhere, it stays at its first value, which a
    // person should see, like a health route's session count.
    if (countsSessions(metric)) plan.notes.push(`\`${metric.name}\` counted sessions, and there are none any more: its counting went with them, and the metric goes too where nothing else uses it`);
    else markers.push({ pos: markerPosition(metric.declaration ?? metric.node), rule: 'SL002', message: `\`${metric.name}\` counted open MCP sessions, which no longer exist: it now stays at its first value; count something that still means something, or drop it.` });
  }
  // Bookkeeping only the sessions used (a session manager's create/touch/terminate) goes with them.
  // A marked one is a decision left to a person: it stays with its marker.
  const bookkeeping = dropped.flatMap((finding) => {
    const statement = markedAlready(finding) ? undefined : sessionBookkeeping(finding, dropping);
    return statement ? [{ finding, statement }] : [];
  });
  for (const { finding, statement } of bookkeeping) {
    act(statement, remove);
    plan.notes.push(`\`${finding.name}\` kept track of the sessions and nothing else (every use of it went with the session code): it goes with them`);
  }
  const unmarked = dropped.filter((finding) => !markedAlready(finding) && !metrics.some((m) => m.name === finding.name) && !bookkeeping.some((b) => b.finding === finding));
  if (!problem && unmarked.length > 0 && firstConstruction) {
    const names = unmarked.map((f) => `\`${f.name}\``).join(', ');
    const blockers = [`${names} (written by the session code that goes: ${unmarked.length === 1 ? 'it' : 'they'} would never change again)`];
    return blocked(file, [{ pos: markerPosition(firstConstruction.node), rule: 'SL002', message: transportKept([], blockers) }]);
  }
  // Marked state the guard already noted needs no second note.
  const markedDrops = dropped.filter((finding) => markedAlready(finding)).map((f) => `\`${f.name}\``).filter((name) => !plan.notes.some((note) => note.includes(name)));
  if (markedDrops.length > 0) plan.notes.push(`${markedDrops.join(', ')} ${markedDrops.length === 1 ? 'was' : 'were'} written by the session code that went; ${markedDrops.length === 1 ? 'it carries its' : 'they carry their'} own marker`);
  if (problem && firstConstruction) return blocked(file, [{ pos: markerPosition(firstConstruction.node), rule: 'SL002', message: transportKeptBecause(problem, 'serve each request statelessly by hand') }]);

  const candidates = new Set<string>();
  for (const node of [...[...actions.values()].map((a) => a.node), ...nodeEdits.map((e) => e.node)]) {
    for (const id of referencesIn(node)) candidates.add(id.getText());
  }
  for (const dropped of plan.droppedParameters) for (const arg of dropped.arguments) candidates.add(arg.getText());
  applyStatementActions(edits, actions);
  for (const edit of nodeEdits) {
    if (edit.at === 'start') edits.replace(edit.node.getStart(), edit.node.getStart(), edit.text);
    else edits.replaceNode(edit.node, edit.text);
  }
  const imported = factory.kind === 'call' && Node.isIdentifier(factory.callee) ? resolver.of(factory.callee) : undefined;
  if (route && factory.kind === 'call' && !plan.factoryFn && Node.isCallExpression(factory.call) && imported && Node.isImportSpecifier(imported)) {
    const module = imported.getImportDeclaration().getModuleSpecifierValue();
    // A package's server (`createServer` of @playwright/mcp) is someone else's code: what it keeps between calls
    // (a browser) is unknown, and now starts over per request, so a person decides. A project module the run
    // left out is the user's choice of scope: a note.
    markers.push(
      module.startsWith('.')
        ? {
            pos: markerPosition(route),
            rule: 'SL003',
            level: 'info',
            message: `the server factory \`${factory.callee.getText()}\` is imported from a module this run does not include, so it was not checked for per-session state (P5): one server now serves one request`,
          }
        : packageServerMarker(markers, markerPosition(route), factory.callee.getText(), module),
    );
  }
  if (route && factory.kind === 'call' && handedIds.length > 0) {
    markers.push({
      pos: markerPosition(route),
      rule: 'SL003',
      message: `\`${factory.callee.getText()}\` was handed the session id (\`${handedIds[0]!.getText()}\`), which is undefined without sessions, as a stateless transport's is: what it kept apart per session is now kept together; where that is state the tools need per conversation, give them a handle`,
    });
  }
  if (route && factory.kind === 'call' && !plan.factoryFn && Node.isIdentifier(factory.callee) && Node.isParameterDeclaration(resolver.of(factory.callee) ?? file)) {
    markers.push({
      pos: markerPosition(route),
      rule: 'SL003',
      level: 'info',
      message: `the server factory \`${factory.callee.getText()}\` is a parameter, so the function its callers pass was not checked for per-session state (P5): one server now serves one request`,
    });
  }
  if (route && factory.kind === 'call' && !plan.factoryFn && Node.isPropertyAccessExpression(factory.callee)) {
    markers.push({
      pos: markerPosition(route),
      rule: 'SL003',
      level: 'info',
      message: `the server comes from the method \`${factory.callee.getText()}\`, which was not followed to check for per-session state (P5): one server now serves one request`,
    });
  }
  if (route) for (const note of plan.notes) markers.push({ pos: markerPosition(route), rule: 'SL003', level: 'info', message: note });
  if (route && shared) {
    const message = `requests now take turns with \`this.${shared.field}\`, the one server this code cannot build again: one is served at a time, so a long tool call holds up the others; build a server per request (a factory the routes call) to serve them at once`;
    markers.push({ pos: markerPosition(route), rule: 'SL002', level: 'info', message });
  }
  const asks = serverRequestsMessage();
  if (route && asks && !askedAbove) markers.push({ pos: markerPosition(route), rule: 'SL005', message: asks });
  const own = plan.ownTransport;
  if (route && own) markers.push({ pos: markerPosition(route), rule: 'SL002', level: 'info', message: own.note });
  const emit = own?.content === undefined ? [] : [{ path: own.path, content: own.content }];
  return { edits, markers, candidates, imports: wantedImports(), emit };

  function planServing(serving: Serving): void {
    const { plan: handlerPlan, fn } = serving;
    const call = handlerPlan.serveCall;
    const anchor = handlerPlan.anchor;
    const [registration] = serving.registrations;
    if (!anchor || (!call && !handlerPlan.resolver)) return;
    // A resolver reaches the request and response through its own parameters; a serving handler passed them on.
    const exchange = registration?.exchange;
    const own = parameterNames(fn);
    const args = call ? call.getArguments().map((a) => a.getText()) : exchange ? [own[exchange.request], own[exchange.response]] : [];
    const [served = 'req', second, third] = args;
    const req = requestOf(served);
    const res = kind === 'node' ? second : undefined;
    const body = kind === 'node' ? third : undefined;
    const webOptions = kind === 'web' ? second : undefined;
    if (shared && (handlerPlan.resolver || res === undefined)) {
      problems.push(`the server \`${shared.expression}\` is one object the handler cannot build again, and this handler hands its transport on rather than serving the request itself`);
      return;
    }
    if (handlerPlan.resolver && (args[0] === undefined || res === undefined)) {
      problems.push('cannot tell which parameters of the request helper are the request and the response');
      return;
    }
    const inline = registration !== undefined && registration.handlerArg === fn && serving.registrations.length === 1;
    const params = parameterNames(fn);
    const sessionBranches = target === 'v2' ? handlerPlan.sessionBranches : [...handlerPlan.sessionBranches, ...handlerPlan.sessionGuards];
    const whole = handlerPlan.whole || (target === 'v2' && handlerPlan.wholeWithGuards);
    // The application's own session-opening code, kept to run per request ahead of the new serving code.
    const opening = openingKept(handlerPlan.opening, handlerPlan.removed);
    // What the end of a session did to what its opening made, the end of the request does now.
    // What the request sets on the shared server's object (`this.currentUser = req.user`) is set in its turn, or a
    // request still waiting would overwrite what the served one's tools read.
    const turnSetup = shared ? fieldsSetBefore(anchor, shared.field).filter((statement) => !plan.plumbing.touches(statement)) : [];
    for (const statement of turnSetup) act(statement, remove);
    const endWork = res ? responseEndWork(handlerPlan.removed, plan.plumbing, res) : { kept: [] };
    const endProblem = endWork.problem ?? endWorkProblem(endWork.kept, handlerPlan.removed);
    if (endProblem) {
      problems.push(endProblem);
      return;
    }
    endWorkNodes.push(...endWork.kept);
    const closing = [...(target === 'v1' ? closingStatements(opening, handlerPlan.removed) : []), ...endWork.kept.map(asStatementText)];
    if (target === 'v2' && inline && whole && registration && params.length > 0 && opening.length === 0 && closing.length === 0) {
      nodeEdits.push({ node: registration.handlerArg, text: conciseHandler({ kind, handler: handlerName, params, req, res, body, webOptions }) });
      return;
    }
    // v2 entries answer GET/DELETE themselves: a guard that answered them with a session error goes.
    if (target === 'v2') for (const guard of handlerPlan.sessionGuards) act(guard.block.getParentOrThrow(), remove);
    // On v1 a session guard ahead of the serving code becomes its 405 answer, so that code needs no second one.
    const guardedBefore = target === 'v1' && handlerPlan.sessionGuards.some((guard) => guard.returns && guard.block.getParentOrThrow().getEnd() <= anchor.getStart());
    const replaced = [...handlerPlan.removed, ...sessionBranches.map((b) => b.block), ...(handlerPlan.expressionBody ? [anchor] : [])];
    const kept = new Set(referencesIn(fn).filter((id) => !replaced.some((r) => within(id, r))).map((id) => id.getText()));
    const server = binding?.server ?? ['server', 'mcpServer', 'perRequestServer'].find((n) => !kept.has(n)) ?? 'mcpServer';
    const transport = ['transport', 'mcpTransport', 'perRequestTransport'].find((n) => !kept.has(n)) ?? 'mcpTransport';
    const lines = serveLines(
      {
        target,
        kind,
        guard: serving.all && !handlerPlan.postOnly && !guardedBefore,
        req,
        res,
        body,
        webOptions,
        factoryCall,
        server,
        transport,
        transportClass: transportClassName(),
        options: plan.options,
        handler: handlerName,
        returnAfter: handlerPlan.returnAfter,
        answerInto: handlerPlan.answerInto,
        answerAfter: handlerPlan.answerAfter,
        methodOf: takesContext ? `${req}.req` : undefined,
        resolver: handlerPlan.resolver,
        pattern: binding?.pattern,
        closeCalls,
        closeStatements: closing,
        connectCall: connectorCall(transport),
        inTurn: shared && turns ? { ...turns, server: shared.expression, closed: ['responseClosed', 'mcpResponseClosed'].find((n) => !kept.has(n)) ?? 'mcpResponseClosed', setup: turnSetup.map(asStatementText) } : undefined,
      },
      style,
    );
    for (const branch of sessionBranches) {
      const statements = (branch.block as Node & { getStatements(): Node[] }).getStatements();
      const call = serveCalls(branch.block, plan.plumbing).pop();
      const [branchReq = req, branchRes = res] = call?.getArguments().map((a) => a.getText()) ?? [];
      const [firstStatement, ...rest] = statements;
      if (!firstStatement) continue;
      const lines = sessionBranchLines({ target, kind, handler: handlerName, req: branchReq, res: branchRes, returns: branch.returns }, style);
      act(firstStatement, { kind: 'replace', text: render(lines, style, indentOf(text, firstStatement.getStart())) });
      for (const statement of rest) act(statement, remove);
    }
    // v1: every method but POST now ends in the 405 a sessionless endpoint answers, not in the old client error.
    const [firstOther, ...restOther] = handlerPlan.otherMethods.statements;
    if (target === 'v1' && kind === 'node' && res && firstOther && handlerPlan.otherMethods.response === res) {
      act(firstOther, { kind: 'replace', text: render(methodNotAllowedNode(res, style), style, indentOf(text, firstOther.getStart())) });
      for (const statement of restOther) act(statement, remove);
    }
    const isAsync = (fn as Node & { isAsync?(): boolean }).isAsync?.() ?? false;
    const awaits = lines.some((l) => /(^|\s)await\s/.test(l));
    if (awaits && !isAsync) nodeEdits.push({ node: fn, text: 'async ', at: 'start' });
    if (handlerPlan.expressionBody) {
      const indent = indentOf(text, registration?.statement.getStart() ?? fn.getStart());
      nodeEdits.push({ node: anchor, text: `{\n${render(lines, style, `${indent}${style.unit}`)}\n${indent}}` });
      return;
    }
    for (const statement of handlerPlan.removed) if (statement !== anchor) act(statement, remove);
    const indent = indentOf(text, anchor.getStart());
    // Above the per-request server: the tools it serves that ask the client mid-call.
    const asks = serverRequestsMessage();
    const marker = asks && !askedAbove ? [{ offset: indent.length, rule: 'SL005' as const, message: asks }] : [];
    if (marker.length > 0) askedAbove = true;
    const openingText = movedStatements(opening, (node) => indentOf(text, node.getStart()), indent)
      .map((moved, i) => `${i > 0 && moved.blankBefore ? '\n' : ''}${indent}${moved.text}`)
      .join('\n');
    if (opening.length > 0 && route) {
      markers.push({ pos: markerPosition(route), rule: 'SL001', level: 'info', message: `what the handler did when a session opened (${opening.map(firstLine).join('; ')}) now runs for every request, before it is served` });
    }
    // Never silently: the application's own session-opening code that could not be kept (log lines aside).
    const lost = handlerPlan.opening.filter((s) => !opening.includes(s) && !isConsoleLine(s));
    if (lost.length > 0 && route) {
      markers.push({ pos: markerPosition(route), rule: 'SL002', message: `what the handler did when a session opened (${lost.map(firstLine).join('; ')}) no longer runs: sessions are gone; run it for every request by hand if it still matters` });
    }
    act(anchor, { kind: 'replace', text: `${openingText ? `${openingText}\n\n` : ''}${render(lines, style, indent)}`, markers: marker });
  }

  /**
   * The statements of the session-opening branch that the per-request code keeps ahead of the server it builds (v1)
   * or of the handler call (v2, whose factory cannot see them: a factory using them is refused elsewhere): those
   * before the server factory call, and only when nothing after that call is the application's own.
   */
  function openingKept(statements: readonly Node[], removed: readonly Node[]): Node[] {
    if (statements.length === 0 || factory.kind !== 'call') return [];
    // Application code after the server is built would lose the server it used: not handled.
    if (statements.some((s) => s.getEnd() > factory.call.getStart())) return [];
    // Every name they use must live on: declared outside the removed code, or in the kept statements themselves.
    for (const statement of statements) {
      for (const id of referencesIn(statement)) {
        const declaration = resolver.of(id);
        if (declaration && removed.some((r) => within(declaration, r)) && !statements.some((k) => within(declaration, k))) return [];
      }
    }
    openingNodes.push(...statements);
    return [...statements];
  }

  /** A statement (or an arrow's expression body) as a line of new code: from column 0, with its comments. */
  function asStatementText(node: Node): string {
    if (Node.isExpression(node)) return `${node.getText()}${style.semi}`;
    return movedStatements([node], (n) => indentOf(text, n.getStart()), '')[0]?.text ?? node.getText();
  }

  /**
   * Why what a response's end listener also did (`log.info('closed')`, `this.currentUser = null`) cannot run at the
   * end of the new code's request: only Node code sees the response end, and a name it uses must live on.
   */
  function endWorkProblem(kept: readonly Node[], removed: readonly Node[]): string | undefined {
    const [first] = kept;
    if (!first) return undefined;
    if (kind !== 'node') return `the response's close listener also runs \`${firstLine(first)}\`, and a web-standard handler has no per-request hook to run it from`;
    for (const id of kept.flatMap((statement) => referencesIn(statement))) {
      const declaration = resolver.of(id);
      if (declaration && removed.some((r) => within(declaration, r)) && !kept.some((k) => within(declaration, k))) {
        return `the response's close listener also runs \`${firstLine(first)}\`, which uses \`${id.getText()}\` from the session code`;
      }
    }
    return undefined;
  }

  /**
   * The other names a destructured factory binds (`cleanup`) that the session code called when a session ended:
   * the per-request code calls them when its request ends. Arguments that only carried the session go.
   */
  function siblingCleanup(factoryBinding: NonNullable<typeof binding>): string[] {
    if (factory.kind !== 'call') return [];
    const pattern = (factory.declaration ?? factory.call.getFirstAncestor((a) => Node.isVariableDeclaration(a)))?.getFirstDescendant((d) => Node.isObjectBindingPattern(d));
    const elements = pattern && Node.isObjectBindingPattern(pattern) ? pattern.getElements().filter((e) => factoryBinding.siblings.includes(e.getName())) : [];
    const out: string[] = [];
    for (const id of referencesIn(file)) {
      const declaration = resolver.of(id);
      const element = elements.find((e) => e.compilerNode === declaration?.compilerNode);
      if (!element) continue;
      const call = id.getParent();
      if (!call || !Node.isCallExpression(call) || call.getExpression() !== id) continue;
      if (call.getArguments().some((a) => !plan.plumbing.touches(a))) {
        problems.push(`\`${call.getText()}\` ends a session with arguments the per-request code does not have`);
        continue;
      }
      if (target === 'v2' || kind === 'web') {
        problems.push(`\`${id.getText()}\` ran when a session ended, and ${target === 'v2' ? 'createMcpHandler' : 'a web-standard handler'} has no per-request hook to call it from`);
        continue;
      }
      if (!out.includes(id.getText())) out.push(id.getText());
    }
    return out;
  }

  /** v1 servers built per request cannot wait for the client's answer to a request of their own. */
  function serverRequestsMessage(): string | undefined {
    if (target !== 'v1' || plan.serverRequests.length === 0) return undefined;
    const fromSessions = plan.serverRequests.filter(inSessionCallback);
    const fromTools = plan.serverRequests.filter((site) => !inSessionCallback(site));
    const parts: string[] = [];
    if (fromTools.length > 0) {
      parts.push(`${ASKS_MID_CALL} (${describeSites(fromTools)}): served per request, the client's answer reaches another server and the call never completes; after moving to the v2 SDK ask with inputRequired, or keep these tools on a sessionful endpoint`);
    }
    if (fromSessions.length > 0) {
      parts.push(`${fromTools.length > 0 ? 'and a' : 'a'} session callback asked the client outside any call (${describeSites(fromSessions)}), which goes with the sessions: ask from a tool instead (inputRequired on the v2 SDK)`);
    }
    return parts.join('; ');
  }

  /** The connector call as the per-request code makes it: the old call, handed the new transport. */
  function connectorCall(transportName: string): string | undefined {
    if (factory.kind !== 'call' || factory.connects === undefined || !Node.isCallExpression(factory.call)) return undefined;
    const args = factory.call.getArguments().map((a, i) => (i === factory.connects ? transportName : a.getText()));
    return `${factory.awaited ? 'await ' : ''}${factory.callee.getText()}(${args.join(', ')})`;
  }

  /**
   * What the new code hands on as the request, from what the old code handed its transport: the same, except that
   * a v2 entry takes the web request a framework context holds (`c.req.raw` for `@hono/mcp`'s `handleRequest(c)`).
   */
  function requestOf(handed: string): string {
    return takesContext && target === 'v2' ? `${handed}.req.raw` : handed;
  }

  function transportClassName(): string {
    if (plan.transportClass) return plan.transportClass;
    const wanted = V1_STREAMABLE[kind];
    return importedBindings(file).find((b) => b.imported === wanted.name && b.canonical === wanted.module)?.local ?? wanted.name;
  }

  function wantedImports(): PhaseOutput['imports'] {
    if (target === 'v2') return kind === 'node' ? [V2_ENTRY_IMPORTS.createMcpHandler, V2_ENTRY_IMPORTS.toNodeHandler] : [V2_ENTRY_IMPORTS.createMcpHandler];
    if (plan.ownTransport) return [{ module: plan.ownTransport.specifier, name: plan.ownTransport.className }];
    if (plan.transportClass) return [];
    const wanted = V1_STREAMABLE[kind];
    return [{ module: v1Specifier(file, wanted.module), name: wanted.name }];
  }

  function placePreamble(lines: string[]): void {
    const positioned = [...plan.serving.flatMap((s) => s.registrations), ...plan.sessions, ...(sse.mode === 'convert' ? sse.open.slice(0, 1) : [])];
    const first = positioned.sort((a, b) => a.statement.getStart() - b.statement.getStart())[0];
    if (!first) return;
    const at = first.statement;
    const indent = indentOf(text, at.getStart());
    insertBefore(at, lines.map((l) => l.split('\n').map((line) => (line.length > 0 ? `${indent}${line}` : line)).join('\n')).join('\n\n'));
  }

  /** New statements ahead of `at`: in its replacement or its removed neighbour's place when it has one, else inserted. */
  function insertBefore(at: Node, block: string): void {
    const own = actions.get(at.compilerNode);
    if (own?.action.kind === 'replace') {
      own.action = { ...own.action, text: `${block}\n\n${own.action.text}` };
      return;
    }
    const siblings = (at.getParentOrThrow() as Node & { getStatements?(): Node[] }).getStatements?.() ?? [];
    const previous = siblings[siblings.indexOf(at) - 1];
    const previousAction = previous ? actions.get(previous.compilerNode) : undefined;
    if (previous && previousAction?.action.kind === 'remove') {
      previousAction.action = { kind: 'replace', text: block };
      return;
    }
    const start = statementStart(text, at);
    edits.replace(start, start, `${block}\n\n`);
  }

  /** Module-level code ahead of the top-level statement holding the first route (a class's routes see it too). */
  function placeAtModuleLevel(block: string): void {
    const routes = [...plan.serving.flatMap((s) => s.registrations), ...plan.sessions].sort((a, b) => a.statement.getStart() - b.statement.getStart());
    const first = routes[0]?.statement;
    if (!first) return;
    insertBefore(topLevelStatement(first), block);
  }

  /** The statements that move into a factory function (they go from where they were, but live on). */
  function movedNodes(): Node[] {
    if (factory.kind === 'call') return openingNodes;
    if (factory.kind === 'parameter') return factory.configure;
    if (factory.kind === 'shared') return [];
    return [factory.declaration.getParentOrThrow().getParentOrThrow(), ...factory.configure];
  }

  /** The statements and expressions whose text the edits replace or remove. */
  function goingNodes(): Node[] {
    return [...[...actions.values()].map((a) => a.node), ...nodeEdits.filter((e) => e.at !== 'start').map((e) => e.node)];
  }

  /** A surviving use of something declared in code that goes, or a new expression that would use one. */
  function safetyProblem(): string | undefined {
    // A function only the code that goes calls goes too (the orphan pass removes it once the edits are in).
    const going = withOrphanedFunctions(file, goingNodes(), `${factoryCall} ${factoryRef}`);
    const moved = movedNodes();
    // A web transport's response the new code declares again under its name (`const response = …`).
    const redeclared: unknown[] = plan.serving.flatMap((s) => {
      const served = s.plan.answerInto !== undefined ? s.plan.serveCall?.getFirstAncestorByKind(SyntaxKind.VariableDeclaration) : undefined;
      return served ? [served.compilerNode] : [];
    });
    for (const id of referencesIn(file)) {
      if (going.some((g) => within(id, g))) continue;
      const declaration = resolver.of(id);
      if (declaration && going.some((g) => within(declaration, g)) && !moved.some((m) => within(declaration, m)) && !redeclared.includes(declaration.compilerNode)) {
        return `\`${id.getText()}\` (${placeOf(id)}) is declared in the session routing that goes away`;
      }
    }
    // `this.transports` where the class's field goes with the routing.
    for (const access of thisAccessesIn(file)) {
      if (going.some((g) => within(access, g))) continue;
      const field = thisField(access);
      if (field && going.some((g) => within(field, g))) return `\`${access.getText()}\` (${placeOf(access)}) is a field of the session routing that goes away`;
    }
    for (const serving of plan.serving) {
      for (const arg of serving.plan.serveCall?.getArguments() ?? []) {
        for (const id of referencesIn(arg)) {
          const declaration = resolver.of(id);
          const parameter = declaration !== undefined && Node.isParameterDeclaration(declaration) && declaration.getParent() === serving.fn;
          if (declaration && !parameter && going.some((g) => within(declaration, g))) return `the request expression \`${arg.getText()}\` uses \`${id.getText()}\`, which goes away`;
        }
      }
    }
    if (factory.kind === 'call') {
      const local = usesOnlyOuterNames(factory.call, target === 'v2' ? handlers : [], resolver);
      if (local) return `the server factory call uses \`${local}\`, a variable of the request handler`;
      const handed = factory.connects !== undefined && Node.isCallExpression(factory.call) ? factory.call.getArguments()[factory.connects] : undefined;
      for (const id of referencesIn(factory.call)) {
        if ((handed && within(id, handed)) || handedIds.some((access) => within(id, access))) continue;
        const declaration = resolver.of(id);
        if (declaration && going.some((g) => within(declaration, g)) && !moved.some((m) => within(declaration, m)) && !isFunctionLike(declaration)) return `the server factory call uses \`${id.getText()}\`, which goes away`;
      }
    }
    return undefined;
  }
}

/** `console.log('Session started')`: the server's own log line, nothing a client sees. */
function isConsoleLine(statement: Node): boolean {
  if (!Node.isExpressionStatement(statement)) return false;
  const call = statement.getExpression();
  return Node.isCallExpression(call) && /^console\.\w+$/.test(call.getExpression().getText());
}

/** A statement's first line, shortened, for messages: `let token = tokenFrom(req.headers)…`. */
function firstLine(statement: Node): string {
  const line = statement.getText().split('\n')[0]!.trim();
  return `\`${line.length > 48 ? `${line.slice(0, 47)}…` : line}\``;
}

/** The text range that removes one item of a parameter or argument list, with the comma that separates it. */
function listItemRange(item: Node): [number, number] {
  const parent = item.getParentOrThrow();
  const list: Node[] = Node.isParameterDeclaration(item) && isFunctionLike(parent) ? parent.getParameters() : Node.isCallExpression(parent) ? parent.getArguments() : [item];
  const index = list.indexOf(item);
  const previous = list[index - 1];
  const next = list[index + 1];
  if (next) return [item.getStart(), next.getStart()];
  if (previous) return [previous.getEnd(), item.getEnd()];
  return [item.getStart(), item.getEnd()];
}


/** Rewrite an expression rooted at one of `from`'s parameters onto the matching parameter of `to`. */
function mapOnto(expression: string, from: readonly string[], to: readonly string[]): string | undefined {
  for (const [i, name] of from.entries()) {
    const target = to[i];
    if (!target) continue;
    if (expression === name) return target;
    if (expression.startsWith(`${name}.`)) return `${target}${expression.slice(name.length)}`;
  }
  return undefined;
}

/**
 * The warning for a server a package builds, which takes the place of another warning at the same statement (one
 * marker per statement): the endpoint's move is told after it.
 */
function packageServerMarker(markers: MarkerRequest[], pos: number, callee: string, module: string): MarkerRequest {
  const message = `the server comes from \`${callee}\` of the package ${module}, built once per session before and once per request now: anything it keeps between calls (a browser, a connection, a login) starts over on every request; if it keeps such state, serve it where each client keeps one server (stdio) or use the package's own sessionless mode`;
  const other = markers.findIndex((marker) => marker.pos === pos && marker.level !== 'info');
  if (other < 0) return { pos, rule: 'SL003', message };
  const [taken] = markers.splice(other, 1);
  return { pos, rule: 'SL003', message: `${message}. Also: ${taken!.message}` };
}

/**
 * Registrations a module-wide server took after start-up (`publish(…)` from a timer or a route): the module keeps
 * them in a list, and every server the factory builds replays it, so each request sees all that the one server
 * offered by then. The list is declared above the factory, which a kept instance calls at once.
 */
function replayedRegistrations(plan: HttpPlan, calls: readonly CallExpression[], variable: string, style: Style, indent: string) {
  const { file } = plan;
  const list = freshName(file, ['lateRegistrations', 'registeredLater']);
  const declaration = plan.factory.kind === 'singleton' ? plan.factory.declaration : undefined;
  const initializer = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  const serverClass = initializer && Node.isNewExpression(initializer) ? initializer.getExpression().getText() : undefined;
  const typed = !/\.[cm]?jsx?$/.test(file.getFilePath()) && serverClass !== undefined;
  const type = typed ? `: Array<(${variable}: ${serverClass}) => void>` : '';
  return {
    declaration: `${indent}// Registered after start-up: every server built replays them, in order.\n${indent}const ${list}${type} = []${style.semi}\n\n`,
    piece: { text: `for (const register of ${list}) register(${variable})${style.semi}`, blankBefore: true },
    edits: calls.map((call) => ({ node: call as Node, text: `${list}.push((${variable}) => ${call.getText()})` })),
  };
}

/**
 * `going`, with the functions of the file whose every use is inside it: they become orphans with it. A function
 * the new code calls (`newCode`, the factory call) lives on.
 */
function withOrphanedFunctions(file: SourceFile, going: readonly Node[], newCode: string): Node[] {
  const called = new Set(newCode.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const out = [...going];
  const functions = [...file.getDescendantsOfKind(SyntaxKind.FunctionDeclaration), ...file.getDescendantsOfKind(SyntaxKind.VariableStatement).filter((s) => declaredFunction(s) !== undefined)];
  for (let grew = true; grew; ) {
    grew = false;
    for (const fn of functions) {
      if (out.some((g) => within(fn, g))) continue;
      const name = (Node.isVariableStatement(fn) ? fn.getDeclarations()[0] : fn)?.getName();
      if (name !== undefined && called.has(name)) continue;
      if (usedOnlyWhere(fn, (use) => out.some((g) => within(use, g)))) {
        out.push(fn);
        grew = true;
      }
    }
  }
  return out;
}

/** `transport.sessionId` in a factory call's arguments, read off an SDK transport: the session id it is handed. */
function sessionIdsHanded(call: Node, resolver: Resolver): PropertyAccessExpression[] {
  return call.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression).filter((access) => {
    if (access.getName() !== 'sessionId' || !Node.isIdentifier(access.getExpression())) return false;
    const declaration = resolver.of(access.getExpression() as Identifier);
    if (!declaration || !Node.isVariableDeclaration(declaration)) return false;
    const declared = [declaration.getTypeNode()?.getText() ?? '', declaration.getInitializer()?.getText() ?? ''].join(' ');
    return namesTransportClass(declared);
  });
}

/** A factory call's text with the session ids it was handed read as undefined. */
function withoutSessionIds(call: Node, handed: readonly PropertyAccessExpression[]): string {
  const start = call.getStart();
  let text = call.getText();
  for (const access of [...handed].sort((a, b) => b.getStart() - a.getStart())) {
    text = `${text.slice(0, access.getStart() - start)}undefined${text.slice(access.getEnd() - start)}`;
  }
  return text;
}
