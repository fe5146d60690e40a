/**
 * Session plumbing: the code a stateful HTTP entry has only to mint, route and end sessions, and the session id
 * reads anywhere in the project.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { PlumbingSite, SessionIdRead, StateVariable, TransportSite } from './model.js';
import type { Origins } from './origins.js';
import type { Reach } from './reach.js';
import { frameworkHttpStarts, keepsSessions } from './frameworks.js';
import { resolveFunction } from './functions.js';
import { onlyMeasured } from './counts.js';
import { enclosingFunction, literalText, unwrap } from './syntax.js';
import { RESPONSE_RECEIVERS, ROUTE_METHODS, SESSION_ERROR_TEXT, SESSION_HEADER, SESSION_ROUTING_HELPERS, lookup } from './vocabulary.js';

export function findSessionIdReads(ctx: AnalysisContext, reach: Reach, origins: Origins): SessionIdRead[] {
  const out: SessionIdRead[] = [];
  for (const info of ctx.files) {
    const nodes = ctx.nodesOf(info);
    for (const node of [...nodes.propertyAccesses, ...nodes.elementAccesses, ...nodes.calls]) {
      const source = origins.sessionIdSource(node);
      if (!source || isWrittenHeader(node)) continue;
      // `extra.sessionId` inside `extra.sessionId!` etc. is one read; nested accesses (`a.b.sessionId`) count once.
      out.push({ node, file: info.file, source, by: reach.registrationsAt(node) });
    }
  }
  return out;
}

/** `headers['mcp-session-id'] = …` is a header write, not a read. */
export function isWrittenHeader(node: Node): boolean {
  const parent = node.getParent();
  return Boolean(parent && Node.isBinaryExpression(parent) && parent.getLeft() === node && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken);
}

export function findPlumbing(
  ctx: AnalysisContext,
  transports: readonly TransportSite[],
  states: readonly StateVariable[],
  sessionIdReads: readonly SessionIdRead[],
): PlumbingSite[] {
  const out: PlumbingSite[] = [];
  for (const transport of transports) {
    if (transport.kind === 'sse') out.push({ kind: 'sse-transport', node: transport.node, file: transport.file });
    if (transport.generator && transport.kind !== 'sse') out.push({ kind: 'session-id-generator', node: transport.generator, file: transport.file });
    for (const callback of transport.callbacks) out.push({ kind: 'session-callback', node: callback, file: transport.file, detail: callbackName(callback) });
    if (transport.eventStore) out.push({ kind: 'event-store', node: transport.eventStore, file: transport.file });
  }
  for (const state of states) {
    if (state.holdsTransports) out.push({ kind: 'transport-map', node: state.declaration, file: state.file, detail: state.name, state });
  }
  for (const read of sessionIdReads) {
    // A header read only logged (or handed to what nothing reads) routes nothing.
    if (read.source === 'header' && !read.leadsNowhere) out.push({ kind: 'session-header-read', node: read.node, file: read.file });
    if (read.source === 'transport') out.push({ kind: 'transport-session-id', node: read.node, file: read.file });
  }
  const transportMaps = states.filter((s) => s.holdsTransports);
  for (const info of ctx.files) {
    // A framework that keeps sessions itself (FastMCP's httpStream without `stateless: true`).
    for (const start of frameworkHttpStarts(info.sourceFile).filter(keepsSessions)) {
      out.push({ kind: 'framework-sessions', node: start.call, file: info.file, detail: start.framework.name });
    }
    const nodes = ctx.nodesOf(info);
    for (const call of nodes.calls) {
      const callee = unwrap(call.getExpression());
      const name = Node.isIdentifier(callee) ? callee.getText() : Node.isPropertyAccessExpression(callee) ? callee.getName() : '';
      if (SESSION_ROUTING_HELPERS.includes(name)) {
        out.push({ kind: 'initialize-routing', node: call, file: info.file });
        continue;
      }
      const header = sessionHeaderWrite(call);
      if (header) {
        out.push({ kind: header, node: call, file: info.file });
        continue;
      }
      const route = sessionRoute(ctx, call, transportMaps);
      if (route) out.push({ kind: 'session-route', node: call, file: info.file, detail: route });
    }
    for (const literal of nodes.strings) {
      const text = literal.getLiteralText();
      if (text.toLowerCase() === SESSION_HEADER) {
        const property = literal.getParent();
        if (property && Node.isPropertyAssignment(property) && property.getNameNode() === literal) {
          // `headers: { 'mcp-session-id': sid }` passed to an outgoing request: a gateway forwarding the session.
          if (!isResponseHeaders(property)) out.push({ kind: 'session-header-forward', node: property, file: info.file });
        }
        continue;
      }
      if (SESSION_ERROR_TEXT.test(text) && routesSessions(literal, transportMaps, sessionIdReads)) out.push({ kind: 'session-error', node: literal, file: info.file });
    }
    for (const template of nodes.templates) {
      if (SESSION_ERROR_TEXT.test(template.getHead().getLiteralText()) && routesSessions(template, transportMaps, sessionIdReads)) {
        out.push({ kind: 'session-error', node: template, file: info.file });
      }
    }
    for (const binary of nodes.initializeComparisons) {
      // `body.method === 'initialize'`: hand-written initialize routing.
      const literal = literalText(binary.getRight()) ?? literalText(binary.getLeft());
      const other = literalText(binary.getRight()) !== undefined ? binary.getLeft() : binary.getRight();
      if (literal === 'initialize' && /\.method$/.test(unwrap(other).getText())) out.push({ kind: 'initialize-routing', node: binary, file: info.file });
    }
  }
  return dedupe(withoutLoneInitializeChecks(out, transports));
}

/**
 * A check for the initialize request (`body.method === 'initialize'`, `isInitializeRequest(body)`) routes sessions
 * only where something keeps them: in a project with no session id minted, read or set, no transport map and no
 * session transport, it looks at the request for its own ends (the client's info, a log line), as a stateless
 * server serving both protocol eras may.
 */
function withoutLoneInitializeChecks(sites: PlumbingSite[], transports: readonly TransportSite[]): PlumbingSite[] {
  const sessions = transports.some((t) => t.sessionful || t.kind === 'sse') || sites.some((site) => site.kind !== 'initialize-routing');
  return sessions ? sites : sites.filter((site) => site.kind !== 'initialize-routing');
}

/**
 * Provenance for session errors: "session expired" is the MCP session's error only in code that routes MCP
 * sessions — a function (or one enclosing it) that reads the session id or header or uses a transport map.
 * An OAuth "authorization session expired" or a browser "session not found" stays the application's own.
 */
function routesSessions(literal: Node, transportMaps: readonly StateVariable[], sessionIdReads: readonly SessionIdRead[]): boolean {
  for (let fn = enclosingFunction(literal); fn; fn = enclosingFunction(fn)) {
    const [start, end] = [fn.getStart(), fn.getEnd()];
    if (sessionIdReads.some((read) => read.node.getSourceFile() === fn.getSourceFile() && read.node.getStart() >= start && read.node.getEnd() <= end)) return true;
    const text = fn.getText();
    if (text.toLowerCase().includes(SESSION_HEADER) || SESSION_ROUTING_HELPERS.some((helper) => text.includes(helper))) return true;
    if (transportMaps.some((map) => map.declaration.getSourceFile() === fn.getSourceFile() && new RegExp(`\\b${map.name}\\b`).test(text))) return true;
  }
  return false;
}

function callbackName(node: Node): string {
  return Node.isPropertyAssignment(node) || Node.isShorthandPropertyAssignment(node) || Node.isMethodDeclaration(node) ? node.getName() : node.getText();
}

/** `res.setHeader('mcp-session-id', id)` (serving a session) vs `proxyReq.setHeader('mcp-session-id', id)` (forwarding it). */
export function sessionHeaderWrite(call: CallExpression): 'session-header-write' | 'session-header-forward' | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const args = call.getArguments();
  if (args.length < 2 || !['setHeader', 'set', 'header', 'append'].includes(callee.getName())) return undefined;
  if (literalText(args[0])?.toLowerCase() !== SESSION_HEADER) return undefined;
  const receiver = unwrap(callee.getExpression()).getText().split('.').pop() ?? '';
  const ours = RESPONSE_RECEIVERS.test(receiver) || /^(?:res|response)\./.test(unwrap(callee.getExpression()).getText()) || copiesResponseHeaders(callee.getExpression());
  return ours ? 'session-header-write' : 'session-header-forward';
}

/** `const headers = new Headers(response.headers)`: a copy of a response's headers, for the response we send back. */
function copiesResponseHeaders(receiver: Node): boolean {
  const inner = unwrap(receiver);
  if (!Node.isIdentifier(inner)) return false;
  const fn = inner.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isMethodDeclaration(a));
  const declaration = fn?.getDescendantsOfKind(SyntaxKind.VariableDeclaration).find((d) => d.getName() === inner.getText());
  const value = declaration?.getInitializer();
  return value !== undefined && /^new Headers\(\s*(?:\w+\.)*(?:res|response|upstreamResponse)\w*\.headers\s*\)$/.test(unwrap(value).getText());
}

/** Header objects that are part of our own response (`res.writeHead(200, { … })`, `new Response(body, { headers })`). */
function isResponseHeaders(property: Node): boolean {
  const call = property.getFirstAncestor((a) => Node.isCallExpression(a) || Node.isNewExpression(a));
  if (!call || !(Node.isCallExpression(call) || Node.isNewExpression(call))) return false;
  const callee = unwrap(call.getExpression()).getText();
  return /(?:^|\.)(?:writeHead|set|header|json|send)$|^Response$|(?:^|\.)Response$/.test(callee) || RESPONSE_RECEIVERS.test(callee.split('.')[0] ?? '');
}

/**
 * `app.get('/mcp', handler)` / `app.delete(…)` / `app.all(…)` whose handler routes by session (reads the header or a
 * transport map), or a Node `if (req.method === 'GET' | 'DELETE')` branch that does.
 */
function sessionRoute(ctx: AnalysisContext, call: CallExpression, transportMaps: readonly StateVariable[]): string | undefined {
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee)) return undefined;
  const method = lookup(ROUTE_METHODS, callee.getName());
  if (!method || method === 'POST') return undefined;
  const args = call.getArguments();
  const path = literalText(args[0]);
  if (path === undefined || !path.startsWith('/')) return undefined;
  const handlers = args.slice(1).map((a) => resolveFunction(ctx.resolver, a)).filter((f): f is NonNullable<typeof f> => f !== undefined);
  return handlers.some((h) => routesBySession(ctx, h, transportMaps)) ? method : undefined;
}

function routesBySession(ctx: AnalysisContext, node: Node, transportMaps: readonly StateVariable[]): boolean {
  const text = node.getText();
  if (text.toLowerCase().includes(SESSION_HEADER)) return true;
  return node.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => {
    const map = transportMaps.find((m) => m.name === id.getText());
    // A route that only counts the open sessions (`transports.size` in a health check) or checks that the map exists
    // (a readiness probe) serves none of them.
    if (!map || onlyMeasured(id)) return false;
    // A local of the same name (`const activeTransports = manager.getActiveTransports()`) is not the map.
    const binding = ctx.resolver.resolve(id);
    return binding?.kind !== 'declaration' || binding.node === map.declaration;
  });
}

function dedupe(sites: PlumbingSite[]): PlumbingSite[] {
  const seen = new Set<string>();
  return sites.filter((site) => {
    const key = `${site.kind}:${site.file}:${site.node.getStart()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
