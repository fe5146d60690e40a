import { Node } from 'ts-morph';
import type { HttpPlan } from './http-entry.js';
import { findRegistrations } from './routes.js';
import { sessionRouteHandler } from './snippets.js';
import { indentOf, quoted, type Style } from './style.js';
import { markerPosition, type FunctionLike } from './syntax.js';
import type { MarkerRequest, StatementAction } from './text-edits.js';

/**
 * The HTTP+SSE part of an HTTP plan, and the routes that counted sessions, as edits: dropped next to a Streamable
 * HTTP endpoint (routes go, or helper calls go to the Streamable HTTP helper), or converted (the message route
 * serves Streamable HTTP, the stream route answers 405). Edits go through the sink of the entry's edit plan.
 */
export interface EditSink {
  act(node: Node, action: StatementAction): void;
  replaceNode(node: Node, text: string): void;
  mark(marker: MarkerRequest): void;
  problem(message: string): void;
}

const REMOVE: StatementAction = { kind: 'remove' };

export function planSseEdits(input: {
  plan: HttpPlan;
  style: Style;
  text: string;
  handlerName: string;
  /** A GET/DELETE 405 handler for a route whose handler has these parameters, reaching request and response like the POST handler. */
  routeFor(own: readonly string[], indent: string): string | undefined;
  sink: EditSink;
}): void {
  const { plan, style, text, handlerName, routeFor, sink } = input;
  const { sse, file, resolver, target, kind } = plan;
  if (sse.mode === 'drop' && sse.redirect !== undefined) {
    // HTTP+SSE helpers: their callers now hand the request to the Streamable HTTP helper.
    const helpers = [...new Set([...sse.open, ...sse.post].map((r) => r.handlerArg.getText()))].map((n) => `\`${n}\``).join(', ');
    for (const registration of [...sse.open, ...sse.post]) sink.replaceNode(registration.call, sse.redirect);
    const [first] = [...sse.open, ...sse.post];
    if (first) {
      sink.mark({
        pos: markerPosition(first.call),
        rule: 'SL002',
        message: `the deprecated HTTP+SSE transport (${helpers}) was removed: the requests it served now reach the Streamable HTTP endpoint, so its clients must switch to Streamable HTTP.`,
      });
    }
  } else if (sse.mode === 'drop') {
    for (const registration of [...sse.open, ...sse.post]) sink.act(registration.statement, REMOVE);
    const first = plan.serving[0]?.registrations[0];
    if (first) sink.mark({ pos: markerPosition(first.statement), rule: 'SL002', message: `the deprecated HTTP+SSE endpoints (${describe(sse.open, sse.post)}) were removed: their clients must use this Streamable HTTP endpoint instead.` });
  } else if (sse.mode === 'convert' && sse.routed) {
    // Routes calling HTTP+SSE helpers: stream routes answer 405 (DELETE too on a message path), message routes
    // keep their paths and now serve Streamable HTTP through the rewritten helper.
    const postPaths = new Set(sse.post.map((r) => `${r.via?.router} ${r.via?.path}`));
    const deleteTaken = new Set(findRegistrations(file, resolver).filter((r) => r.method === 'delete').map((r) => `${r.router} ${r.path}`));
    for (const open of sse.open) {
      const route = open.via;
      if (!route?.path || !route.router) continue;
      const params = parameterNames(route.handler);
      const indent = indentOf(text, route.statement.getStart());
      const handler = params.length >= 2 ? sessionRouteHandler({ target, kind, handler: handlerName, params, req: params[0] ?? 'req', res: params[1] }, style, indent) : undefined;
      if (handler === undefined) {
        sink.problem(`cannot tell how the ${route.method.toUpperCase()} ${route.path} route reaches the request and response`);
        continue;
      }
      const key = `${route.router} ${route.path}`;
      const path = route.pathIsExpression ? route.path : quoted(style, route.path);
      const lines = [`${indent}${route.router}.get(${path}, ${handler})${style.semi}`];
      if (postPaths.has(key) && !deleteTaken.has(key)) {
        lines.push(`${indent}${route.router}.delete(${path}, ${handler})${style.semi}`);
        deleteTaken.add(key);
      }
      sink.act(route.statement, { kind: 'replace', text: lines.join('\n') });
    }
    const [first] = sse.post;
    if (first?.via) {
      const serving = [...new Set(sse.post.map((r) => `POST ${r.via?.path}`))].join(' and ');
      sink.mark({
        pos: markerPosition(first.via.statement),
        rule: 'SL002',
        message: `the deprecated HTTP+SSE endpoints (${describe(sse.open, sse.post)}) now serve Streamable HTTP on ${serving} and answer GET with 405: HTTP+SSE clients must switch to Streamable HTTP.`,
      });
    }
  } else if (sse.mode === 'convert') {
    const [post] = sse.post;
    // One GET/DELETE pair per block the stream routes stand in (the branches of an `if` each keep theirs).
    const answered = new Set<Node | undefined>();
    for (const open of sse.open) {
      if (answered.has(open.statement.getParent())) {
        sink.act(open.statement, REMOVE);
        continue;
      }
      answered.add(open.statement.getParent());
      const indent = indentOf(text, open.statement.getStart());
      const handler = routeFor(parameterNames(open.handler), indent);
      if (handler === undefined) {
        sink.problem('cannot tell how the SSE handlers reach the request and response');
        continue;
      }
      const path = quoted(style, sse.path);
      sink.act(open.statement, { kind: 'replace', text: `${indent}${open.router}.get(${path}, ${handler})${style.semi}\n${indent}${open.router}.delete(${path}, ${handler})${style.semi}` });
    }
    for (const other of sse.post.slice(1)) if (other.pathNode) sink.replaceNode(other.pathNode, quoted(style, sse.path));
    if (post?.pathNode) {
      sink.replaceNode(post.pathNode, quoted(style, sse.path));
      sink.mark({ pos: markerPosition(post.statement), rule: 'SL002', message: `the MCP endpoint moved from ${describe(sse.open, sse.post)} (deprecated HTTP+SSE) to POST ${sse.path} (Streamable HTTP): update client configurations and proxies that name the old URLs.` });
    }
  }
}

/** Routes outside the endpoint that counted the open sessions now count none, with a marker. */
export function planSessionCounts(plan: HttpPlan, sink: EditSink): void {
  for (const { route, counts } of plan.sessionCounts) {
    for (const count of counts) sink.replaceNode(count, '0');
    const what = counts.map((c) => `\`${c.getText()}\``).join(', ');
    sink.mark({
      pos: markerPosition(route.statement),
      rule: 'SL002',
      message: `the ${route.method.toUpperCase()} ${route.path} route counted open MCP sessions (${what}), which no longer exist: it now reports 0; report something that still means something, or drop it.`,
    });
  }
}

function describe(open: HttpPlan['sse']['open'], post: HttpPlan['sse']['post']): string {
  const pathOf = (r: HttpPlan['sse']['open'][number]) => r.path ?? r.via?.path;
  return [...new Set([...open.map((r) => `GET ${pathOf(r)}`), ...post.map((r) => `POST ${pathOf(r)}`)])].join(' + ');
}

/** Simple parameter names of a function (destructured parameters make it unusable here). */
export function parameterNames(fn: FunctionLike): string[] {
  const names = fn.getParameters().map((p) => (Node.isParameterDeclaration(p) && Node.isIdentifier(p.getNameNode()) ? p.getName() : ''));
  return names.every((n) => n.length > 0) ? names : [];
}
