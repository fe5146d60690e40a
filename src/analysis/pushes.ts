/**
 * Per-session pushes: a map of timers keyed by session whose callbacks send the client log messages or
 * notifications outside any request (the reference server's simulated logging and resource updates), and the
 * sets of sessions a tool switched them on for. No handle makes them work sessionless: there is no channel to
 * send on between requests. They get one decision instead of a handle each.
 */
import { Node, SyntaxKind } from 'ts-morph';
import { PUSH_SENDS, TIMER_STARTERS } from '../rules/context-sdk.js';
import type { AnalysisContext } from './context.js';
import { resolveFunction } from './functions.js';
import type { FunctionNode, PushKind, SessionPush, StateVariable } from './model.js';
import { enclosingFunction, unwrap } from './syntax.js';

export function markSessionPushes(ctx: AnalysisContext, states: readonly StateVariable[]): void {
  const keyed = states.filter((s) => s.dependence === 'session-keyed');
  const pushes: SessionPush[] = [];
  for (const state of keyed) {
    const timer = state.accesses.map((a) => (a.op === 'keyed' && a.value ? timerCall(a.value) : undefined)).find(Boolean);
    const sends = timer && whatItSends(ctx, timer);
    if (!sends) continue;
    state.push = { timers: state, sends, tools: labels(state) };
    pushes.push(state.push);
  }
  if (pushes.length === 0) return;
  // The functions that start or stop each push: where the timer map is written.
  const switches = new Map<Node, SessionPush>();
  for (const push of pushes) {
    for (const access of push.timers.accesses) {
      const fn = access.mode === 'write' ? enclosingFunction(access.node) : undefined;
      if (fn) switches.set(fn, push);
    }
  }
  // A session-keyed set kept next to calls that switch a push (`clients.add(sessionId)` after `beginX(sessionId)`).
  for (const state of keyed) {
    if (state.push) continue;
    const found = state.accesses.map((a) => switchedBeside(ctx, a.node, switches));
    const push = found[0];
    if (!push || found.some((p) => p !== push)) continue;
    state.push = push;
    push.tools = [...new Set([...push.tools, ...labels(state)])];
  }
}

function timerCall(value: Node): Node | undefined {
  const inner = unwrap(value);
  if (!Node.isCallExpression(inner)) return undefined;
  const callee = inner.getExpression();
  return Node.isIdentifier(callee) && TIMER_STARTERS.includes(callee.getText()) ? inner : undefined;
}

/** What the timer's callback (and the functions it calls) send the client, if anything. */
function whatItSends(ctx: AnalysisContext, timer: Node): PushKind | undefined {
  if (!Node.isCallExpression(timer)) return undefined;
  const callback = resolveFunction(ctx.resolver, timer.getArguments()[0]);
  if (!callback) return undefined;
  const texts = [callback.getText()];
  for (const call of callback.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const called = resolveFunction(ctx.resolver, call.getExpression());
    if (called && called !== callback) texts.push(called.getText());
  }
  const text = texts.join('\n');
  return PUSH_SENDS.find((p) => p.pattern.test(text))?.sends;
}

/** The push whose switch is called in the same function as this access. */
function switchedBeside(ctx: AnalysisContext, access: Node, switches: ReadonlyMap<Node, SessionPush>): SessionPush | undefined {
  const fn = enclosingFunction(access);
  if (!fn) return undefined;
  for (const call of fn.getDescendantsOfKind(SyntaxKind.CallExpression)) {
    const called: FunctionNode | undefined = resolveFunction(ctx.resolver, call.getExpression());
    const push = called && switches.get(called);
    if (push) return push;
  }
  return undefined;
}

function labels(state: StateVariable): string[] {
  return [...new Set(state.accesses.flatMap((a) => a.by.map((r) => r.label)))];
}
