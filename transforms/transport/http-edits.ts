import { placeOf } from '../shared/place.js';
import { transportKeptBecause } from '../../src/rules/marker-messages.js';
import { Node } from 'ts-morph';
import { V1_STREAMABLE, V2_ENTRY_IMPORTS } from '../../src/rules/transport-symbols.js';
import { factoryReference, movedStatements, usesOnlyOuterNames } from './factory.js';
import type { HttpPlan, Serving } from './http-entry.js';
import { importedBindings, v1Specifier } from './imports.js';
import { serveCalls } from './erase.js';
import { blocked, type PhaseOutput } from './phase.js';
import { findRegistrations } from './routes.js';
import { conciseHandler, factoryFunction, serveLines, sessionBranchLines, sessionRouteHandler, v2HandlerDeclaration } from './snippets.js';
import { indentOf, quoted, render, type Style } from './style.js';
import { referencesIn } from '../shared/declarations.js';
import { freshName, type FunctionLike, isFunctionLike, markerPosition, within } from './syntax.js';
import { applyStatementActions, statementStart, TextEdits, type MarkerRequest, type StatementAction } from './text-edits.js';

/**
 * Turn an HTTP plan into edits. Everything is decided on the unedited tree; a last safety check makes sure
 * no surviving code still uses something declared in the code that goes, and otherwise the entry is left
 * as it is with one marker.
 */
export function buildHttpEdits(plan: HttpPlan, style: Style): PhaseOutput {
  const { file, resolver, target, kind } = plan;
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
  const factoryName = plan.factory.kind === 'call' ? '' : freshName(file, ['buildServer', 'buildMcpServer']);
  for (const statement of [...plan.moduleRemoved, ...plan.handlerDeclarations]) act(statement, remove);

  // Where the server comes from, for the v1 per-request code (`factoryCall`) and the v2 entry (`factoryRef`).
  let factoryCall = `${factoryName}()`;
  let factoryRef = factoryName;
  const factory = plan.factory;
  if (factory.kind === 'call') {
    factoryCall = factory.text;
    const firstRoute = Math.min(...plan.plumbing.registrations.map((r) => r.statement.getStart()));
    factoryRef = factoryReference(factory, resolver, firstRoute, plan.factoryFn);
    if (factory.declaration) act(factory.declaration.getParentOrThrow().getParentOrThrow(), remove);
  } else if (factory.kind === 'singleton') {
    // The module-wide server becomes a factory where it stands; its configuration moves in with it.
    const statement = factory.declaration.getParentOrThrow().getParentOrThrow();
    const indent = indentOf(text, statement.getStart());
    const pieces = movedStatements([statement, ...factory.configure], () => indent, `${indent}${style.unit}`);
    act(statement, { kind: 'replace', text: factoryFunction(factoryName, pieces, factory.variable, style, indent) });
    for (const configure of factory.configure) act(configure, remove);
  }

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
    const [servingReq = defaults[0] ?? 'req', servingRes] = servingArgs;
    const req = mapOnto(servingReq, servingParams, params);
    const res = kind === 'node' ? mapOnto(servingRes ?? 'res', servingParams, params) : undefined;
    if (req === undefined || (kind === 'node' && res === undefined)) return undefined;
    return sessionRouteHandler({ target, kind, handler: handlerName, params, req, res }, style, indent);
  };
  for (const registration of plan.sessions) {
    const { statement, handlerArg } = registration;
    const indent = indentOf(text, statement.getStart());
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

  if (sse.mode === 'drop') {
    for (const registration of [...sse.open, ...sse.post]) act(registration.statement, remove);
    const first = plan.serving[0]?.registrations[0];
    if (first) markers.push({ pos: markerPosition(first.statement), rule: 'SL002', message: `the deprecated HTTP+SSE endpoints (${describe(sse.open, sse.post)}) were removed: their clients must use this Streamable HTTP endpoint instead.` });
  } else if (sse.mode === 'convert') {
    const [post] = sse.post;
    for (const [i, open] of sse.open.entries()) {
      if (i > 0) {
        act(open.statement, remove);
        continue;
      }
      const indent = indentOf(text, open.statement.getStart());
      const handler = routeFor(parameterNames(open.handler), indent);
      if (handler === undefined) {
        problems.push('cannot tell how the SSE handlers reach the request and response');
        continue;
      }
      const path = quoted(style, sse.path);
      act(open.statement, { kind: 'replace', text: `${indent}${open.router}.get(${path}, ${handler})${style.semi}\n${indent}${open.router}.delete(${path}, ${handler})${style.semi}` });
    }
    if (post?.pathNode) {
      nodeEdits.push({ node: post.pathNode, text: quoted(style, sse.path) });
      markers.push({ pos: markerPosition(post.statement), rule: 'SL002', message: `the MCP endpoint moved from ${describe(sse.open, sse.post)} (deprecated HTTP+SSE) to POST ${sse.path} (Streamable HTTP): update client configurations and proxies that name the old URLs.` });
    }
  }

  // The module-level pieces (extracted factory, v2 entry) go in front of the first route that uses them.
  const preamble: string[] = [];
  if (factory.kind === 'inline') {
    // A server the handler built itself: its construction and configuration become a module function.
    const moved = [factory.declaration.getParentOrThrow().getParentOrThrow(), ...factory.configure];
    preamble.push(factoryFunction(factoryName, movedStatements(moved, (m) => indentOf(text, m.getStart()), style.unit), factory.variable, style, ''));
  }
  if (target === 'v2') preamble.push(v2HandlerDeclaration({ kind, name: handlerName, factory: factoryRef, options: plan.options }, style));
  if (preamble.length > 0) placePreamble(preamble);

  const problem = problems[0] ?? safetyProblem();
  const [firstConstruction] = plan.plumbing.constructions;
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
  const route = plan.serving[0]?.registrations[0]?.statement;
  if (route && factory.kind === 'call' && !plan.factoryFn && Node.isCallExpression(factory.call) && Node.isIdentifier(factory.callee) && Node.isImportSpecifier(resolver.of(factory.callee) ?? file)) {
    markers.push({
      pos: markerPosition(route),
      rule: 'SL003',
      level: 'info',
      message: `the server factory \`${factory.callee.getText()}\` is imported from a module this run does not include, so it was not checked for per-session state (P5): one server now serves one request`,
    });
  }
  if (route && factory.kind === 'call' && Node.isPropertyAccessExpression(factory.callee)) {
    markers.push({
      pos: markerPosition(route),
      rule: 'SL003',
      level: 'info',
      message: `the server comes from the method \`${factory.callee.getText()}\`, which was not followed to check for per-session state (P5): one server now serves one request`,
    });
  }
  return { edits, markers, candidates, imports: wantedImports() };

  function planServing(serving: Serving): void {
    const { plan: handlerPlan, fn } = serving;
    const call = handlerPlan.serveCall;
    const anchor = handlerPlan.anchor;
    if (!call || !anchor) return;
    const args = call.getArguments().map((a) => a.getText());
    const [req = 'req', second, third] = args;
    const res = kind === 'node' ? second : undefined;
    const body = kind === 'node' ? third : undefined;
    const webOptions = kind === 'web' ? second : undefined;
    const [registration] = serving.registrations;
    const inline = registration !== undefined && registration.handlerArg === fn && serving.registrations.length === 1;
    const params = parameterNames(fn);
    const sessionBranches = target === 'v2' ? handlerPlan.sessionBranches : [...handlerPlan.sessionBranches, ...handlerPlan.sessionGuards];
    const whole = handlerPlan.whole || (target === 'v2' && handlerPlan.wholeWithGuards);
    if (target === 'v2' && inline && whole && registration && params.length > 0) {
      nodeEdits.push({ node: registration.handlerArg, text: conciseHandler({ kind, handler: handlerName, params, req, res, body, webOptions }) });
      return;
    }
    // v2 entries answer GET/DELETE themselves: a guard that answered them with a session error goes.
    if (target === 'v2') for (const guard of handlerPlan.sessionGuards) act(guard.block.getParentOrThrow(), remove);
    // On v1 a session guard ahead of the serving code becomes its 405 answer, so that code needs no second one.
    const guardedBefore = target === 'v1' && handlerPlan.sessionGuards.some((guard) => guard.returns && guard.block.getParentOrThrow().getEnd() <= anchor.getStart());
    const replaced = [...handlerPlan.removed, ...sessionBranches.map((b) => b.block), ...(handlerPlan.expressionBody ? [anchor] : [])];
    const kept = new Set(referencesIn(fn).filter((id) => !replaced.some((r) => within(id, r))).map((id) => id.getText()));
    const server = ['server', 'mcpServer', 'perRequestServer'].find((n) => !kept.has(n)) ?? 'mcpServer';
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
    const isAsync = (fn as Node & { isAsync?(): boolean }).isAsync?.() ?? false;
    const awaits = lines.some((l) => /(^|\s)await\s/.test(l));
    if (awaits && !isAsync) nodeEdits.push({ node: fn, text: 'async ', at: 'start' });
    if (handlerPlan.expressionBody) {
      const indent = indentOf(text, registration?.statement.getStart() ?? fn.getStart());
      nodeEdits.push({ node: anchor, text: `{\n${render(lines, style, `${indent}${style.unit}`)}\n${indent}}` });
      return;
    }
    for (const statement of handlerPlan.removed) if (statement !== anchor) act(statement, remove);
    act(anchor, { kind: 'replace', text: render(lines, style, indentOf(text, anchor.getStart())) });
  }

  function transportClassName(): string {
    if (plan.transportClass) return plan.transportClass;
    const wanted = V1_STREAMABLE[kind];
    return importedBindings(file).find((b) => b.imported === wanted.name && b.module.startsWith(wanted.module))?.local ?? wanted.name;
  }

  function wantedImports(): PhaseOutput['imports'] {
    if (target === 'v2') return kind === 'node' ? [V2_ENTRY_IMPORTS.createMcpHandler, V2_ENTRY_IMPORTS.toNodeHandler] : [V2_ENTRY_IMPORTS.createMcpHandler];
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
    const block = lines.map((l) => l.split('\n').map((line) => (line.length > 0 ? `${indent}${line}` : line)).join('\n')).join('\n\n');
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

  /** A surviving use of something declared in code that goes, or a new expression that would use one. */
  function safetyProblem(): string | undefined {
    const going = [...[...actions.values()].map((a) => a.node), ...nodeEdits.filter((e) => e.at !== 'start').map((e) => e.node)];
    const moved = factory.kind === 'call' ? [] : [factory.declaration.getParentOrThrow().getParentOrThrow(), ...factory.configure];
    for (const id of referencesIn(file)) {
      if (going.some((g) => within(id, g))) continue;
      const declaration = resolver.of(id);
      if (declaration && going.some((g) => within(declaration, g)) && !moved.some((m) => within(declaration, m))) {
        return `\`${id.getText()}\` (${placeOf(id)}) is declared in the session routing that goes away`;
      }
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
      for (const id of referencesIn(factory.call)) {
        const declaration = resolver.of(id);
        if (declaration && going.some((g) => within(declaration, g)) && !isFunctionLike(declaration)) return `the server factory call uses \`${id.getText()}\`, which goes away`;
      }
    }
    return undefined;
  }
}

function describe(open: HttpPlan['sse']['open'], post: HttpPlan['sse']['post']): string {
  return [...open.map((r) => `GET ${r.path}`), ...post.map((r) => `POST ${r.path}`)].join(' + ');
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

/** Simple parameter names of a function (destructured parameters make it unusable here). */
function parameterNames(fn: FunctionLike): string[] {
  const names = fn.getParameters().map((p) => (Node.isParameterDeclaration(p) && Node.isIdentifier(p.getNameNode()) ? p.getName() : ''));
  return names.every((n) => n.length > 0) ? names : [];
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
