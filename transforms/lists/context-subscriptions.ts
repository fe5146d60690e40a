import { Node, SyntaxKind, type CallExpression, type Statement, type VariableDeclaration } from 'ts-morph';
import {
  CONTEXT_MARKERS,
  HANDLER_FACTORY,
  RESOURCE_UPDATED_NOTIFICATION,
  RESOURCE_UPDATED_SENDER,
  ROOTS_LIST_CHANGED,
  ROOTS_METHOD,
  SUBSCRIBE_METHODS,
} from '../../src/rules/context-sdk.js';
import { contains, declarationOf, methodCall, rootIdentifier, stringValue, referencesTo } from './ast.js';
import { removeStatements, type Splice } from './edit.js';
import { standaloneStatement } from './gates.js';
import { enclosingSite } from './handlers.js';
import type { ContextScan } from './context-cached.js';
import { MUTATING_METHODS } from '../../src/analysis/vocabulary.js';
import type { Findings, Mark } from './steps.js';
import { identifiersOf, nodesOfKind } from '../shared/file-index.js';

/** The `uri` a resource-updated send names, from `sendResourceUpdated({ uri })` or a hand-built notification. */
function updatedUri(call: CallExpression): Node | undefined {
  const parts = methodCall(call);
  const [arg] = call.getArguments();
  if (!parts || !arg || !Node.isObjectLiteralExpression(arg)) return undefined;
  let params: Node | undefined = arg;
  if (parts.method !== RESOURCE_UPDATED_SENDER) {
    if (parts.method !== 'notification' && parts.method !== 'sendNotification') return undefined;
    const method = arg.getProperty('method');
    if (!method || !Node.isPropertyAssignment(method) || stringValue(method.getInitializer()) !== RESOURCE_UPDATED_NOTIFICATION) return undefined;
    const paramsProperty = arg.getProperty('params');
    params = paramsProperty && Node.isPropertyAssignment(paramsProperty) ? paramsProperty.getInitializer() : undefined;
  }
  if (!params || !Node.isObjectLiteralExpression(params)) return undefined;
  const uri = params.getProperty('uri');
  if (uri && Node.isShorthandPropertyAssignment(uri)) return uri.getNameNode();
  return uri && Node.isPropertyAssignment(uri) ? uri.getInitializer() : undefined;
}

/** `const handler = createMcpHandler(...)` at module level: its `notify` reaches every listen stream. */
function moduleHandler(scan: ContextScan): VariableDeclaration | undefined {
  return scan.file
    .getVariableDeclarations()
    .find((d) => {
      const init = d.getInitializer();
      return d.getVariableStatement()?.getDeclarationKind() === 'const' && !!init && Node.isCallExpression(init) && init.getExpression().getText() === HANDLER_FACTORY;
    });
}

function mentions(node: Node, names: readonly string[]): boolean {
  return [node, ...identifiersOf(node)].some((id) => Node.isIdentifier(id) && names.includes(id.getText()));
}

/** Variables the subscribe handlers keep their per-session bookkeeping in. */
function subscriptionStores(handlers: readonly Node[]): Set<VariableDeclaration> {
  const stores = new Set<VariableDeclaration>();
  for (const handler of handlers) {
    for (const call of nodesOfKind(handler, SyntaxKind.CallExpression)) {
      const parts = methodCall(call);
      const root = parts && rootIdentifier(parts.receiver);
      const declaration = root && declarationOf(root);
      if (declaration && Node.isVariableDeclaration(declaration) && !contains(handler, declaration)) stores.add(declaration);
    }
  }
  return stores;
}

/**
 * Resource subscriptions tracked per session (`resources/subscribe` handlers keeping
 * `Map<uri, Set<sessionId>>`). On 2026-07-28 clients open `subscriptions/listen` and the server publishes
 * with `handler.notify.resourceUpdated(uri)`; the SDK does the filtering per stream.
 */
function subscriptions(scan: ContextScan): Findings {
  const { file } = scan;
  const handlers = scan.requests.filter((r) => SUBSCRIBE_METHODS.includes(r.method));
  const [first] = handlers;
  if (!first) return { edits: [], marks: [] };
  const mark = (message: string): Findings => ({ edits: [], marks: [{ node: first.call, rule: 'SL005', message }] });
  if (scan.sdk === 'v1') return mark(CONTEXT_MARKERS.subscriptionsV1());
  const handler = moduleHandler(scan);
  if (!handler) return mark(CONTEXT_MARKERS.subscriptionsNoHandler());
  const statements = handlers.map((h) => standaloneStatement(h.call));
  if (statements.some((s) => !s) || handlers.some((h) => !h.handler)) return mark(CONTEXT_MARKERS.subscriptionsShape());
  const stores = subscriptionStores(handlers.map((h) => h.handler!));
  const storeNames = [...stores].map((s) => s.getName());

  const splices: Splice[] = [];
  const replaced: Statement[] = [];
  for (const call of nodesOfKind(file, SyntaxKind.CallExpression)) {
    const uri = updatedUri(call);
    if (!uri) continue;
    const statement = standaloneStatement(call);
    if (!statement) return mark(CONTEXT_MARKERS.subscriptionsShape());
    // A loop over the sessions subscribed to the URI, or a check that anyone is, becomes one publish:
    // the SDK filters per listen stream.
    let target: Statement = statement;
    const fn = statement.getFirstAncestor((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a));
    for (let current: Node | undefined = statement.getParent(); current && current !== fn; current = current.getParent()) {
      const test = Node.isForOfStatement(current) || Node.isIfStatement(current) ? current.getExpression() : undefined;
      if (!test || !mentions(test, storeNames)) continue;
      if (Node.isIfStatement(current) && current.getElseStatement()) return mark(CONTEXT_MARKERS.subscriptionsShape());
      target = current as Statement;
    }
    if (Node.isForOfStatement(target)) {
      // The URI must not come from the loop over sessions, or one publish could not stand for it.
      const loopNames = new Set(identifiersOf(target.getInitializer()).map((id) => id.getText()));
      const uriNames = [uri, ...identifiersOf(uri)].filter(Node.isIdentifier).map((id) => id.getText());
      if (uriNames.some((name) => loopNames.has(name))) return mark(CONTEXT_MARKERS.subscriptionsShape());
    }
    if (replaced.includes(target)) continue;
    replaced.push(target);
    splices.push({ start: target.getStart(), end: target.getEnd(), text: `${handler.getName()}.notify.resourceUpdated(${uri.getText()});` });
  }
  const removed: Statement[] = statements.map((s) => s!);
  for (const store of stores) {
    const name = store.getNameNode();
    const statement = store.getVariableStatement();
    if (!Node.isIdentifier(name) || !statement || statement.getDeclarations().length !== 1) continue;
    const outside = referencesTo(store)
      .filter((r) => ![...removed, ...replaced].some((s) => contains(s, r)));
    if (outside.length === 0) removed.push(statement);
  }
  splices.push(...removeStatements(file, removed));
  return { edits: [{ what: 'publish resource updates to listen streams', splices }], marks: [] };
}

/** The function a handler argument is: inline, or a name bound to one in the file. */
function handlerFunction(node: Node | undefined): Node | undefined {
  if (!node) return undefined;
  if (Node.isArrowFunction(node) || Node.isFunctionExpression(node)) return node;
  const declaration = Node.isIdentifier(node) ? declarationOf(node) : undefined;
  if (declaration && Node.isFunctionDeclaration(declaration)) return declaration;
  const init = declaration && Node.isVariableDeclaration(declaration) ? declaration.getInitializer() : undefined;
  return init && (Node.isArrowFunction(init) || Node.isFunctionExpression(init)) ? init : undefined;
}

/** Does the function keep something beyond its own run: assign, or change in place, state declared outside it? */
function writesOutside(fn: Node): boolean {
  const outside = (target: Node) => {
    const root = rootIdentifier(target);
    const declaration = root && declarationOf(root);
    return !!declaration && !contains(fn, declaration);
  };
  for (const assignment of nodesOfKind(fn, SyntaxKind.BinaryExpression)) {
    if (assignment.getOperatorToken().getKind() === SyntaxKind.EqualsToken && outside(assignment.getLeft())) return true;
  }
  return nodesOfKind(fn, SyntaxKind.CallExpression).some((call) => {
    const parts = methodCall(call);
    return !!parts && MUTATING_METHODS.includes(parts.method) && outside(parts.receiver);
  });
}

/**
 * Roots fetched outside any request (at initialize, on roots/list_changed), and the roots/list_changed
 * handlers that refresh them: one marker each.
 */
function cachedRoots(scan: ContextScan): Mark[] {
  const marks: Mark[] = [];
  for (const call of nodesOfKind(scan.file, SyntaxKind.CallExpression)) {
    const parts = methodCall(call);
    if (parts?.method === 'setNotificationHandler') {
      const [notification] = call.getArguments();
      const named = notification && (stringValue(notification) ?? notification.getText());
      const handler = handlerFunction(call.getArguments()[1]);
      if (named && ROOTS_LIST_CHANGED.includes(named) && handler && writesOutside(handler)) {
        marks.push({ node: call, rule: 'SL005', message: CONTEXT_MARKERS.rootsListChanged() });
      }
      continue;
    }
    if (!parts || parts.method !== ROOTS_METHOD || enclosingSite(call, scan.sites)) continue;
    marks.push({ node: call, rule: 'SL005', message: CONTEXT_MARKERS.roots(rootsKeptIn(call)) });
  }
  return marks;
}

/** The container the roots are stored in (`const listed = await server.listRoots(); cache.set(id, listed.roots)`). */
function rootsKeptIn(call: Node): string | undefined {
  const declaration = call.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
  const name = declaration?.getName();
  const fn = call.getFirstAncestor((a) => Node.isArrowFunction(a) || Node.isFunctionExpression(a) || Node.isFunctionDeclaration(a) || Node.isMethodDeclaration(a));
  if (!name || !fn) return undefined;
  const used = new RegExp(`(?:^|[^\\w$.])${name}(?![\\w$])`);
  for (const store of nodesOfKind(fn, SyntaxKind.CallExpression)) {
    const parts = methodCall(store);
    const value = store.getArguments()[1];
    if (parts?.method === 'set' && value && used.test(value.getText())) return parts.receiver.getText();
  }
  return undefined;
}

export function analyseSubscriptionsAndRoots(scan: ContextScan): Findings {
  const found = subscriptions(scan);
  return { edits: found.edits, marks: [...found.marks, ...cachedRoots(scan)] };
}
