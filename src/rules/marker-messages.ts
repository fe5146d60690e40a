/**
 * Words of the markers that speak for more than one transform: a session transport that stays. The transport
 * transform and mark-leftovers both write it, and mark-leftovers recognises it by its opening words so a file
 * gets it once.
 */

import type { PushKind } from '../analysis/model.js';

/** How every "the session transport stays" marker begins. */
export const TRANSPORT_KEPT = 'session transport kept';

/** An Mcp-Session-Id the application handed out itself and read back: the read is undefined now. */
export const OWN_SESSION_HEADER_READ =
  "this server handed out its own Mcp-Session-Id and read it back here to find what it kept for the client; sessionless clients send none, so it is undefined now and what was kept under it is not found again (a client of the 2026-07-28 revision sends its own info with every request, in `params._meta`)";

/** Tools keyed by session ids the application mints for its own sessions: a handle's id cannot stand in. */
export function appSessionIds(source: string): string {
  return `the tools key what they keep by the session id, and the session ids here are the application's own (the transport's sessionIdGenerator answers what ${source} gave): its session registry knows only those, so a session_id handed to the tools cannot stand in; open the application's session in a creator tool and pass its id to these tools, then run migrate again`;
}

/** Why a transport whose session ids the application mints stays (after "session transport kept: "). */
export function appSessionIdsKept(source: string): string {
  return `the session ids are the application's own (the transport's sessionIdGenerator answers what ${source} gave), and what it keeps under them would be lost without sessions; give what each session opened a handle that a creator tool returns`;
}

/** The same header, set but never read back: nothing depended on it. */
export const OWN_SESSION_HEADER_GONE = 'the Mcp-Session-Id this server set on its responses went: no transport of the project routed by it';

/** How the marker for tools that ask the client mid-call begins: one per group, however many entries serve them. */
export const ASKS_MID_CALL = 'tools ask the client mid-call';

/** Join names as "a, b and c". */
export function joined(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * One marker for a transport migrate did not rewrite: what it still has, and what keeps it (state that needs a
 * handle first, each named and formatted by the caller), or, when nothing does, the rewrite to do by hand.
 */
export function transportKept(parts: readonly string[], blockers: readonly string[]): string {
  const has = parts.length > 0 ? ` (${joined(parts)})` : '';
  if (blockers.length > 0) {
    const one = blockers.length === 1 && !/`[^`]+`,/.test(blockers[0] ?? '');
    return `${TRANSPORT_KEPT}${has} while ${joined(blockers)} depend${one ? 's' : ''} on the session; settle ${one ? 'it' : 'them'} first (an explicit handle, or shared on purpose), then run migrate again`;
  }
  return `${TRANSPORT_KEPT}${has}: migrate does not recognise this serving code; serve each request with a fresh transport (v1: sessionIdGenerator: undefined, 405 for GET/DELETE; v2: createMcpHandler)`;
}

/** The transport transform's own refusal, with its reason, in the same words. */
export function transportKeptBecause(reason: string, step = 'then run migrate again'): string {
  return `${TRANSPORT_KEPT}: ${reason}; ${step}`;
}

/** One marker for the fields of one class that keep state between calls: one record behind one handle, or none. */
export function classFieldsKept(className: string, fields: readonly string[], writers: readonly string[], readers: readonly string[]): string {
  const by = (names: readonly string[]) => (names.length > 0 ? joined([...names]) : 'no tool');
  return `${className} keeps state between calls in ${joined(fields)} (written by ${by(writers)}, read by ${by(readers)}); move the fields into one record behind a handle the tools take, or keep them if they are shared on purpose`;
}

/** The record transform's refusal for a class, opening with the class's name like the decision it answers. */
export function classFieldsDeclined(className: string, fields: readonly string[], reason: string): string {
  return `${className} keeps state between calls in ${joined(fields.map((f) => `this.${f}`))}, which migrate cannot move into a record: ${reason}`;
}

/** One marker for the reads of the session id in one handler, on the first: its own message, and how many there are. */
export function sessionIdReads(first: string, count: number, readers: readonly string[]): string {
  return `${first} (${count} reads in ${joined([...readers])}, this one and the ${count - 1} below)`;
}

/** What to do instead of a per-session timer, by what it sends. */
const PUSH_STEPS: Readonly<Record<PushKind, string>> = {
  'log messages': 'send log messages while a call runs (extra.sendNotification, or ctx.mcpReq.log on the v2 SDK) or drop the timer',
  'resource updates': 'publish updates when a resource changes with handler.notify.resourceUpdated(uri) from createMcpHandler (v2 SDK; clients listen with subscriptions/listen) and drop the per-session timers',
  notifications: 'send them while a call runs (extra.sendNotification), or drop the timer',
};

/** One marker for a per-session push: its timers, the state switched with them, and what to do instead. */
export function sessionPush(timers: string, sends: PushKind, tools: readonly string[], others: readonly string[]): string {
  const by = tools.length > 0 ? ` that ${joined(tools)} switch${tools.length === 1 ? 'es' : ''} on` : '';
  const kept = others.length > 0 ? ` (with ${joined(others)})` : '';
  return `${timers}${kept} keeps a timer per session${by}, sending ${sends} outside any request; sessionless serving has no channel between requests, so no handle makes it work: ${PUSH_STEPS[sends]}`;
}
