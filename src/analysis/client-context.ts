/**
 * Client context kept from earlier requests (P9): capabilities/version/roots read at initialize or cached,
 * per-connection log level and resource subscriptions kept by low-level handlers.
 */
import { Node, SyntaxKind, type CallExpression } from 'ts-morph';
import type { AnalysisContext } from './context.js';
import type { ClientContextSite, FunctionNode, RequestHandler, StateVariable } from './model.js';
import type { Reach } from './reach.js';
import { resolveFunction } from './functions.js';
import { enclosingFunction, outermostWrapper } from './syntax.js';
import { CLIENT_CONTEXT_METHODS, ENVELOPE_READ, INITIALIZED_CALLBACK, INITIALIZE_CLIENT_PROPERTIES, MUTATING_METHODS, PER_REQUEST_READ, lookup } from './vocabulary.js';

/** Labels Reach uses for `oninitialized` code (assigned callback or initialized-notification handler). */
export const INITIALIZED_LABELS = new Set(['oninitialized', 'notifications/initialized']);

export function findClientContext(ctx: AnalysisContext, reach: Reach, requestHandlers: readonly RequestHandler[], states: readonly StateVariable[]): ClientContextSite[] {
  const out: ClientContextSite[] = [];
  for (const info of ctx.files) {
    const nodes = ctx.nodesOf(info);
    for (const call of nodes.calls) {
      const callee = call.getExpression();
      if (!Node.isPropertyAccessExpression(callee)) continue;
      const kind = lookup(CLIENT_CONTEXT_METHODS, callee.getName());
      if (!kind || !/server|mcp/i.test(callee.getExpression().getText()) || isEnvelopeFallback(call)) continue;
      const initialized = reach.othersAt(call).some((label) => INITIALIZED_LABELS.has(label));
      const cachedIn = outerTarget(ctx, call);
      // Kept only for 2025-era clients, behind what the request itself carries: already per request.
      if ((initialized || cachedIn) && onlyAFallback(ctx, call, cachedIn)) continue;
      if (initialized && copiedPerRequest(reach, call)) continue;
      out.push({
        kind,
        node: call,
        file: info.file,
        use: initialized || cachedIn ? 'cached' : 'per-call',
        state: cachedIn,
        sdk: info.sdk,
        by: reach.registrationsAt(call),
      });
    }
    for (const assignment of nodes.assignments) {
      const left = assignment.getLeft();
      if (Node.isPropertyAccessExpression(left) && left.getName() === INITIALIZED_CALLBACK) {
        out.push({ kind: 'initialized-callback', node: assignment, file: info.file, use: 'callback', sdk: info.sdk, by: [] });
      }
    }
  }
  out.push(...keptAtInitialize(ctx, requestHandlers, states));
  for (const handler of requestHandlers) {
    const kind =
      handler.role === 'set-level'
        ? 'log-level'
        : handler.role === 'subscribe' || handler.role === 'unsubscribe'
          ? 'subscriptions'
          : handler.method === 'notifications/roots/list_changed'
            ? 'roots'
            : handler.method === 'notifications/initialized'
              ? 'initialized-callback'
              : undefined;
    if (!kind || !handler.handler) continue;
    const state = outerWrite(ctx, handler.handler);
    if (kind === 'initialized-callback') {
      out.push({ kind, node: handler.call, file: handler.file, use: 'callback', sdk: ctx.fileInfo(handler.call)?.sdk, by: [] });
    } else if (state) {
      out.push({ kind, node: handler.call, file: handler.file, use: 'cached', state, sdk: ctx.fileInfo(handler.call)?.sdk, by: [] });
    }
  }
  return out;
}

/**
 * `extra._meta?.['io.modelcontextprotocol/clientCapabilities'] ?? server.getClientCapabilities()`: the
 * request's own declaration read first, initialize's only for 2025-era clients that send none. That is a
 * per-request read, not context kept from initialize.
 */
function isEnvelopeFallback(call: CallExpression): boolean {
  let current: Node = call;
  while (Node.isParenthesizedExpression(current.getParent())) current = current.getParentOrThrow();
  const parent = current.getParent();
  if (!Node.isBinaryExpression(parent) || parent.getRight() !== current || parent.getOperatorToken().getKind() !== SyntaxKind.QuestionQuestionToken) return false;
  return ENVELOPE_READ.test(parent.getLeft().getText());
}

/**
 * A server that answers initialize itself and keeps what the request says about the client beyond it: the
 * handler reads `params.clientInfo` (or `capabilities`) and it, or a helper it hands the value to, stores a
 * value built from it in outer state (`connectedClient = { name: info.name, … }`). One site per state.
 */
function keptAtInitialize(ctx: AnalysisContext, requestHandlers: readonly RequestHandler[], states: readonly StateVariable[]): ClientContextSite[] {
  const flows = requestHandlers.flatMap((h) => (h.role === 'initialize' && h.handler ? clientValues(ctx, h.handler) : []));
  if (flows.length === 0) return [];
  const out: ClientContextSite[] = [];
  for (const state of states) {
    // Also copied from every request that carries the client's info: initialize's copy serves 2025-era clients.
    if (state.sharedPurpose === 'client-context') continue;
    for (const access of state.accesses) {
      const flow = access.mode === 'write' && access.value ? flows.find((f) => carries(ctx, access.value!, f.holders)) : undefined;
      if (!flow) continue;
      const name = state.kind === 'class-field' ? `this.${state.name}` : state.name;
      out.push({ kind: flow.kind, node: outermostWrapper(access.node).getParent() ?? access.node, file: access.file, use: 'cached', state: name, sdk: ctx.fileInfo(access.node)?.sdk, by: [] });
      break;
    }
  }
  return out;
}

/**
 * What holds the client's part of an initialize request in its handler: the read itself
 * (`request.params.clientInfo`), the variable it is kept in, and the parameters of the helpers it is passed to.
 */
function clientValues(ctx: AnalysisContext, handler: FunctionNode): Array<{ kind: ClientContextSite['kind']; holders: Set<Node> }> {
  const out: Array<{ kind: ClientContextSite['kind']; holders: Set<Node> }> = [];
  for (const [property, kind] of Object.entries(INITIALIZE_CLIENT_PROPERTIES)) {
    const holders = new Set<Node>();
    for (const access of handler.getDescendantsOfKind(SyntaxKind.PropertyAccessExpression)) {
      if (access.getName() !== property) continue;
      holders.add(access);
      const parent = outermostWrapper(access).getParent();
      if (parent && Node.isVariableDeclaration(parent)) holders.add(parent);
    }
    for (const element of handler.getDescendantsOfKind(SyntaxKind.BindingElement)) {
      if ((element.getPropertyNameNode()?.getText() ?? element.getName()) === property) holders.add(element);
    }
    if (holders.size === 0) continue;
    for (const call of handler.getDescendantsOfKind(SyntaxKind.CallExpression)) {
      const target = resolveFunction(ctx.resolver, call.getExpression());
      if (!target) continue;
      call.getArguments().forEach((arg, index) => {
        const parameter = target.getParameters()[index];
        if (parameter && carries(ctx, arg, holders)) holders.add(parameter);
      });
    }
    out.push({ kind, holders });
  }
  return out;
}

/** Whether a value is, or is built from, one of the holders. */
function carries(ctx: AnalysisContext, value: Node, holders: ReadonlySet<Node>): boolean {
  for (const node of [value, ...value.getDescendants()]) {
    if (holders.has(node)) return true;
    if (!Node.isIdentifier(node)) continue;
    const binding = ctx.resolver.resolve(node);
    if (binding?.kind === 'declaration' && holders.has(binding.node)) return true;
  }
  return false;
}

/** The outer variable or `this` field a call's result is stored in (`caps = server.getClientCapabilities()`). */
function outerTarget(ctx: AnalysisContext, call: CallExpression): string | undefined {
  let current: Node = outermostWrapper(call);
  for (let i = 0; i < 4; i++) {
    const parent = current.getParent();
    if (parent && (Node.isPropertyAccessExpression(parent) || Node.isElementAccessExpression(parent)) && parent.getExpression() === current) {
      current = outermostWrapper(parent);
      continue;
    }
    break;
  }
  const parent = current.getParent();
  if (!parent) return undefined;
  if (Node.isBinaryExpression(parent) && parent.getRight() === current && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    return outerName(ctx, parent.getLeft(), call);
  }
  if (Node.isVariableDeclaration(parent) && !enclosingFunction(parent)) return parent.getName();
  if (Node.isPropertyDeclaration(parent)) return parent.getName();
  return undefined;
}

/** The name of an assignment target that outlives the function doing the assignment. */
function outerName(ctx: AnalysisContext, target: Node, at: Node): string | undefined {
  if (Node.isPropertyAccessExpression(target) && target.getExpression().getKind() === SyntaxKind.ThisKeyword) return `this.${target.getName()}`;
  const root = Node.isPropertyAccessExpression(target) || Node.isElementAccessExpression(target) ? rootIdentifier(target) : target;
  if (!root || !Node.isIdentifier(root)) return undefined;
  const binding = ctx.resolver.resolve(root);
  if (binding?.kind !== 'declaration') return undefined;
  const fn = enclosingFunction(at);
  return fn && binding.node.getAncestors().includes(fn) ? undefined : target.getText();
}

function rootIdentifier(node: Node): Node | undefined {
  let current = node;
  while (Node.isPropertyAccessExpression(current) || Node.isElementAccessExpression(current)) current = current.getExpression();
  return current;
}

/** The first outer variable/field a handler assigns or changes in place (`level = …`, `subscriptions.add(uri)`). */
function outerWrite(ctx: AnalysisContext, fn: FunctionNode): string | undefined {
  for (const assignment of fn.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
    if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
    const name = outerName(ctx, assignment.getLeft(), assignment);
    if (name) return name;
  }
  for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const callee = call.getExpression();
    if (!Node.isPropertyAccessExpression(callee) || !MUTATING_METHODS.includes(callee.getName())) continue;
    const name = outerName(ctx, callee.getExpression(), call);
    if (name) return name;
  }
  return undefined;
}

/**
 * Whether the value a call keeps is read only as the fallback of a per-request read
 * (`envelopeClientInfo(ctx.mcpReq.envelope) ?? stdioClientInfo`): the cache serves clients that send no
 * envelope, and every client that sends one is answered from its own request. The value is followed from
 * the call to the module variables it is copied into within the same function (`const v = …; cached = {…v}`).
 */
function onlyAFallback(ctx: AnalysisContext, call: CallExpression, cachedIn: string | undefined): boolean {
  const file = call.getSourceFile();
  const targets = new Set<string>(cachedIn && !cachedIn.includes('.') ? [cachedIn] : []);
  const holder = call.getFirstAncestorByKind(SyntaxKind.VariableDeclaration);
  const fn = enclosingFunction(call);
  if (holder && fn && holder.getInitializer() && outermostWrapper(call) === holder.getInitializer()) {
    const local = holder.getName();
    for (const assignment of fn.getDescendantsOfKind(SyntaxKind.BinaryExpression)) {
      if (assignment.getOperatorToken().getKind() !== SyntaxKind.EqualsToken) continue;
      const right = assignment.getRight();
      const usesLocal = right.getDescendantsOfKind(SyntaxKind.Identifier).some((id) => id.getText() === local) || right.getText() === local;
      const name = usesLocal ? outerName(ctx, assignment.getLeft(), assignment) : undefined;
      if (name && !name.includes('.')) targets.add(name);
    }
  }
  if (targets.size === 0) return false;
  for (const name of targets) {
    const reads = ctx.resolver.identifiersNamed(file, name).filter((id) => !isWriteTarget(id) && !Node.isVariableDeclaration(id.getParent()));
    if (reads.length === 0 || !reads.every((read) => isFallbackOfRequestRead(ctx, read))) return false;
  }
  return true;
}

function isWriteTarget(identifier: Node): boolean {
  const parent = identifier.getParent();
  return Node.isBinaryExpression(parent) && parent.getLeft() === identifier && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken;
}

/** `perRequest ?? read` / `perRequest || read`, where the left side reads the envelope (directly or through a local). */
function isFallbackOfRequestRead(ctx: AnalysisContext, read: Node): boolean {
  const parent = outermostWrapper(read).getParent();
  if (!Node.isBinaryExpression(parent) || parent.getRight() !== outermostWrapper(read)) return false;
  const operator = parent.getOperatorToken().getKind();
  if (operator !== SyntaxKind.QuestionQuestionToken && operator !== SyntaxKind.BarBarToken) return false;
  const left = parent.getLeft();
  if (PER_REQUEST_READ.test(left.getText())) return true;
  if (!Node.isIdentifier(left)) return false;
  const binding = ctx.resolver.resolve(left);
  const initializer = binding?.kind === 'declaration' && Node.isVariableDeclaration(binding.node) ? binding.node.getInitializer() : undefined;
  return initializer !== undefined && PER_REQUEST_READ.test(initializer.getText());
}

/**
 * Where a value copied at initialize goes (`x.clientVersion = …` → the property, `x.setClient(…)` → the method),
 * when the accessor's result is the whole right side or a whole argument.
 */
function copySink(call: CallExpression): { assigns?: string; calls?: string } | undefined {
  const outer = outermostWrapper(call);
  const parent = outer.getParent();
  if (Node.isBinaryExpression(parent) && parent.getRight() === outer && parent.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
    const left = parent.getLeft();
    return Node.isPropertyAccessExpression(left) ? { assigns: left.getName() } : undefined;
  }
  if (Node.isCallExpression(parent) && parent.getArguments().includes(outer as never)) {
    const callee = parent.getExpression();
    return Node.isPropertyAccessExpression(callee) ? { calls: callee.getName() } : undefined;
  }
  return undefined;
}

/**
 * A copy made in oninitialized (`this.context.clientVersion = server.getClientVersion()`) that handlers also make
 * from each request that carries the value (`if (extra._meta?.['io.modelcontextprotocol/clientInfo'])
 * context.clientVersion = …`): the oninitialized copy serves only 2025-era clients, every other request sets the
 * value itself before its work reads it.
 */
function copiedPerRequest(reach: Reach, call: CallExpression): boolean {
  const sink = copySink(call);
  if (!sink) return false;
  for (const statement of call.getSourceFile().getDescendantsOfKind(SyntaxKind.IfStatement)) {
    if (statement.getElseStatement() || !ENVELOPE_READ.test(statement.getExpression().getText())) continue;
    const then = statement.getThenStatement();
    const expression = Node.isExpressionStatement(then) ? then.getExpression() : undefined;
    const labels = reach.othersAt(statement);
    // Only a copy that runs per request counts: inside a handler, not in the hook itself.
    if (!expression || labels.some((label) => INITIALIZED_LABELS.has(label)) || (labels.length === 0 && reach.registrationsAt(statement).length === 0)) continue;
    if (sink.assigns && Node.isBinaryExpression(expression) && expression.getOperatorToken().getKind() === SyntaxKind.EqualsToken) {
      const left = expression.getLeft();
      if (Node.isPropertyAccessExpression(left) && left.getName() === sink.assigns) return true;
    }
    if (sink.calls && Node.isCallExpression(expression)) {
      const callee = expression.getExpression();
      if (Node.isPropertyAccessExpression(callee) && callee.getName() === sink.calls) return true;
    }
  }
  return false;
}
