/**
 * Where a session id read goes. A read whose value reaches nothing a request depends on is no finding: printed to
 * the server's own console, handed to a parameter nobody reads (`_sessionId` passed down a chain of helpers), or
 * stored in an object whose field of that name nothing reads back.
 */
import { Node, type SourceFile } from 'ts-morph';
import { resolveFunction } from './functions.js';
import type { FunctionNode } from './model.js';
import type { Resolver } from './scope.js';
import { outermostWrapper } from './syntax.js';
import { LOG_RECEIVERS, TELEMETRY_METHODS } from '../rules/scope-state.js';

/** Container methods that keep the object they are given. */
const STORING_METHODS: readonly string[] = ['set', 'push', 'add', 'unshift'];

/** Helpers a value is followed through before the answer is "it may matter". */
const MAX_DEPTH = 4;

export interface Flow {
  resolver: Resolver;
  files: readonly SourceFile[];
  /** The session id reads themselves (`transport.sessionId`): reading the SDK's value is not reading a stored field back. */
  reads: ReadonlySet<Node>;
}

export function leadsNowhere(flow: Flow, read: Node, depth = 0): boolean {
  const { resolver } = flow;
  if (depth > MAX_DEPTH) return false;
  if (printed(read)) return true;
  const value = outerValue(read);
  const parent = value.getParent();
  if (!parent) return false;
  if (Node.isCallExpression(parent) && parent.getArguments().includes(value as never)) {
    return parameterUnread(flow, parent.getArguments().indexOf(value as never), resolveFunction(resolver, parent.getExpression()), depth);
  }
  if (Node.isPropertyAssignment(parent) && parent.getInitializer() === value && stored(parent.getParent())) {
    return !fieldReadBack(flow, parent.getName());
  }
  return false;
}

/**
 * Inside the arguments of a call that only logs or traces, however nested: `console.error('x', { session: id })`,
 * `logger.debug('request', { sessionId })`, `browserLogger.click(selector, sessionId)`,
 * `tracer.startSpan('tool', { attributes: { 'mcp.session.id': id } })`.
 */
export function printed(read: Node): boolean {
  const call = read.getFirstAncestor((a) => Node.isCallExpression(a) || Node.isFunctionLikeDeclaration(a) || Node.isArrowFunction(a));
  if (!call || !Node.isCallExpression(call)) return false;
  const callee = call.getExpression();
  if (!Node.isPropertyAccessExpression(callee) || !call.getArguments().some((arg) => arg === read || read.getAncestors().includes(arg))) return false;
  return LOG_RECEIVERS.test(callee.getExpression().getText()) || TELEMETRY_METHODS.includes(callee.getName());
}

/** An object literal put into a container (`entries.set(id, { … })`, `list.push({ … })`): kept, not returned or sent. */
function stored(literal: Node | undefined): boolean {
  if (!literal || !Node.isObjectLiteralExpression(literal)) return false;
  const call = literal.getParent();
  if (!call || !Node.isCallExpression(call) || !call.getArguments().includes(literal as never)) return false;
  const callee = call.getExpression();
  return Node.isPropertyAccessExpression(callee) && STORING_METHODS.includes(callee.getName());
}

/** `x ?? ''`, `x!`, `(x as string)`: the value the read stands for where it is used. */
function outerValue(read: Node): Node {
  let node = outermostWrapper(read);
  for (let parent = node.getParent(); parent && Node.isBinaryExpression(parent) && parent.getLeft() === node && ['??', '||'].includes(parent.getOperatorToken().getText()); parent = node.getParent()) {
    node = outermostWrapper(parent);
  }
  return node;
}

function parameterUnread(flow: Flow, index: number, fn: FunctionNode | undefined, depth: number): boolean {
  const parameter = fn?.getParameters()[index];
  const body = fn?.getBody();
  if (!parameter || parameter.isRestParameter() || !body) return false;
  return flow.resolver.usesOf(parameter, body).every((use) => leadsNowhere(flow, use, depth + 1));
}

/** Any `x.<name>` or `{ <name> } = x` in the project: the stored field may be read back. */
function fieldReadBack(flow: Flow, name: string): boolean {
  return flow.files.some((file) =>
    flow.resolver.identifiersNamed(file, name).some((id) => {
      const parent = id.getParent();
      if (Node.isPropertyAccessExpression(parent) && parent.getNameNode() === id) return !flow.reads.has(parent);
      return Node.isBindingElement(parent) && (parent.getPropertyNameNode() === id || (!parent.getPropertyNameNode() && parent.getNameNode() === id));
    }),
  );
}
