/**
 * One decision per marker. Findings that migrate leaves in place are grouped into the decisions a person has to
 * make: a session transport that stays (one, naming what keeps it), a tool whose listing changes per call (one,
 * however many toggles), one per kind of state (at its declaration). `mark-leftovers` writes these as markers
 * and `audit` reports the same text for the same findings, so both speak with one voice.
 */
import { createMemoryProject } from '../engine/parse.js';
import { anchorOf } from '../engine/markers.js';
import type { RuleId } from '../rules/rules.js';
import { classFieldsKept, joined, sessionIdReads, TRANSPORT_KEPT, transportKept } from '../rules/marker-messages.js';
import { TODO_MARKER } from '../rules/rules.js';
import type { Finding, FindingKind } from './types.js';
import { isAboutRoots, mentionsRoots, ROOTS_GROUP, rootsTogether } from '../rules/context-sdk.js';

/** Findings that are parts of one session transport: the serving code stateless-transport rewrites as a whole. */
export const TRANSPORT_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'transport-map',
  'session-id-generator',
  'unused-session-id-generator',
  'session-callback',
  'session-header',
  'initialize-routing',
  'session-error',
  'session-route',
  'sse-transport',
  'framework-sessions',
]);

/** State a session transport cannot be served per request without: the transport stays until it has handles. */
const BLOCKING_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>([
  'session-keyed-state',
  'auth-bound-to-session',
  'gateway-upstream-map',
  'gateway-header-forward',
  'factory-closure-state',
  'class-field-state',
  'explicit-id-registry',
  'selection-state',
  'session-id-read',
]);

/** Findings about one tool's place in the list: its toggles and registrations are one decision. */
const LIST_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>(['list-toggle', 'register-in-handler']);

export interface Decision {
  rule: RuleId;
  message: string;
  /** Where the marker goes: the first finding of the group in source order (the transport map when there is one). */
  at: Finding;
  /** Every finding this decision answers for. */
  covers: Finding[];
}

/** State findings about fields: the fields of one class are one decision (one record, or none). */
const FIELD_KINDS: ReadonlySet<FindingKind> = new Set<FindingKind>(['class-field-state', 'explicit-id-registry', 'process-state', 'selection-state']);

/** The key that puts findings into one decision. */
function decisionKey(finding: Finding): string {
  if (TRANSPORT_KINDS.has(finding.kind)) return `transport:${finding.file}`;
  // A per-session push across modules (the timers, the tool's set of sessions it is on for): one decision.
  if (finding.kind === 'session-push' && finding.group) return finding.group;
  // Roots asked of the client anywhere in a file (at initialize, on roots/list_changed): where the paths come from.
  if (isRootsFinding(finding)) return `roots:${finding.file}`;
  // By the group alone: a held object's fields sit in its class's file, the holder in another.
  if (finding.group && FIELD_KINDS.has(finding.kind)) return `class:${finding.group}`;
  // Decided together: client context kept per session and the session id reads that key it (a subscribe
  // handler's); the list changes one function makes (remove the old resource, register the new one) and the
  // client capabilities it decides them by.
  if (finding.group && (finding.kind === 'client-context' || finding.kind === 'session-id-read' || LIST_KINDS.has(finding.kind))) return `with:${finding.file}:${finding.group}`;
  // Every read of the session id in one handler is one change to make there.
  if (finding.kind === 'session-id-read' && finding.readers.length > 0) return `reads:${finding.file}:${[...finding.readers].sort().join(',')}`;
  if (LIST_KINDS.has(finding.kind) && finding.state) return `list:${finding.state}`;
  // A resource list built from what calls add, and the list_changed those calls send: one decision per file.
  if (finding.kind === 'list-changed' || finding.kind === 'derived-resource-list') return `list-changed:${finding.file}`;
  return `${finding.kind}:${finding.file}:${finding.line}:${finding.column}`;
}

/** Group findings (of one group of files, as migrate leaves them) into decisions, in source order. */
export function planDecisions(findings: readonly Finding[]): Decision[] {
  const ordered = [...findings].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const groups = new Map<string, Finding[]>();
  for (const finding of ordered) groups.set(decisionKey(finding), [...(groups.get(decisionKey(finding)) ?? []), finding]);
  const blockers = [...new Set(ordered.filter((f) => BLOCKING_KINDS.has(f.kind)).map((f) => (f.state ? `\`${f.state}\`` : describeRead(f))))];
  const decisions: Decision[] = [];
  for (const [key, covers] of groups) {
    const first = covers[0] as Finding;
    if (key.startsWith('transport:')) {
      const at = covers.find((f) => f.kind === 'transport-map') ?? covers.find((f) => f.kind === 'session-id-generator') ?? first;
      decisions.push({ rule: 'SL002', at, covers, message: transportKept(what(covers), blockers) });
    } else if (key.startsWith('push:')) {
      // At the timers (the group names them), where the push starts.
      const at = covers.find((f) => key === `push:${f.state} (${f.file})`) ?? first;
      decisions.push({ rule: at.rule, at, covers, message: at.message });
    } else if (key.startsWith('with:') && covers.length > 1 && covers.every((f) => f.kind === 'session-id-read')) {
      decisions.push({ rule: first.rule, at: first, covers, message: sessionIdReads(first.message, covers.length, first.readers.length > 0 ? first.readers : [first.group ?? 'this function']) });
    } else if (key.startsWith('with:') || key.startsWith('list-changed:')) {
      // The client context speaks for what depends on it (the registrations a capability decides, the reads that
      // key subscriptions); else the registration to move up front, or the derived list, speaks for the rest.
      const at =
        covers.find((f) => f.kind === 'client-context') ??
        covers.find((f) => f.kind === 'register-in-handler') ??
        covers.find((f) => f.kind === 'derived-resource-list') ??
        first;
      decisions.push({ rule: at.rule, at, covers, message: at.message });
    } else if (key.startsWith('roots:') && covers.length > 1) {
      // A request for roots speaks for the others and for the state keeping what they return.
      const asks = covers.filter((f) => f.kind === 'client-context');
      const at = asks[0] ?? first;
      const kept = covers.filter((f) => f.kind !== 'client-context' && f.state).map((f) => `\`${f.state}\``);
      const parts = [...(asks.length > 1 ? [rootsTogether(asks.length - 1)] : []), ...(kept.length > 0 && asks.length > 0 ? [`the roots kept in ${kept.join(', ')} go with it`] : [])];
      decisions.push({ rule: at.rule, at, covers, message: parts.length > 0 ? `${at.message} (${parts.join('; ')})` : at.message });
    } else if (key.startsWith('reads:') && covers.length > 1) {
      decisions.push({ rule: first.rule, at: first, covers, message: sessionIdReads(first.message, covers.length, first.readers) });
    } else if (key.startsWith('class:') && covers.length > 1) {
      // A variable holding the objects speaks for their fields; else the class, naming its fields (its own first).
      const holder = covers.find((f) => !f.heldBy && !f.state?.startsWith('this.'));
      const own = covers.filter((f) => !f.heldBy);
      const at = holder ?? own[0] ?? first;
      const fields = [...own, ...covers.filter((f) => f.heldBy)].map((f) => f.state ?? '');
      // Registries under explicit ids need no record: one message names them all.
      const registries = covers.every((f) => f.kind === 'explicit-id-registry') && first.state !== undefined;
      const message = holder
        ? holder.message
        : registries
          ? first.message.replace(first.state ?? '', joined(fields))
          : classFieldsKept(first.group ?? '', fields, union(covers, 'writers'), union(covers, 'readers'));
      decisions.push({ rule: at.rule, at, covers, message });
    } else {
      decisions.push({ rule: first.rule, at: first, covers, message: first.message });
    }
  }
  return decisions;
}

/** Roots asked of the client, and the state keeping what it answered: one decision per file. */
function isRootsFinding(finding: Finding): boolean {
  return (finding.kind === 'client-context' && isAboutRoots(finding.message)) || finding.group === ROOTS_GROUP;
}

/** "the transports map, the Mcp-Session-Id header, the session callbacks": what the transport still has. */
function what(covers: readonly Finding[]): string[] {
  const parts: string[] = [];
  const has = (kind: FindingKind) => covers.some((f) => f.kind === kind);
  const map = covers.find((f) => f.kind === 'transport-map');
  if (map) parts.push(`the ${map.state ?? 'transport'} map`);
  if (has('sse-transport')) parts.push('the HTTP+SSE transport');
  if (has('framework-sessions')) parts.push("the framework's sessions");
  if (has('session-id-generator') || has('unused-session-id-generator')) parts.push('sessionIdGenerator');
  if (has('session-callback')) parts.push('the session callbacks');
  if (has('session-header')) parts.push('the Mcp-Session-Id header');
  if (has('initialize-routing')) parts.push('initialize routing');
  if (has('session-route')) parts.push('GET/DELETE session routes');
  if (has('session-error')) parts.push('session errors');
  return parts;
}

function union(findings: readonly Finding[], side: 'readers' | 'writers'): string[] {
  return [...new Set(findings.flatMap((f) => f[side]))];
}

function describeRead(finding: Finding): string {
  return finding.kind === 'gateway-header-forward' ? 'the forwarded Mcp-Session-Id header' : 'a read of the session id';
}

/**
 * Whether a file already carries the marker for a decision somewhere else than at its first finding: the
 * transport transform's own "session transport kept" for a kept transport, or a marker about the decision's
 * state (it opens with the name, "list_customers is switched on…", or quotes it, `name`).
 */
export function markedElsewhere(text: string, decision: Decision): boolean {
  const markers = [...text.matchAll(new RegExp(`${TODO_MARKER}\\((SL\\d+)\\): (.*)$`, 'gm'))].map((m) => m[2] ?? '');
  if (decision.covers.some((f) => TRANSPORT_KINDS.has(f.kind))) return markers.some((m) => m.startsWith(TRANSPORT_KEPT));
  // A class's fields are marked once, by the class's name (the record transform declines a class as a whole).
  // Roots asked of the client: one marker in the file saying roots cannot be asked for speaks for all of them.
  if (decision.covers.some((f) => f.kind === 'client-context') && decision.covers.every(isRootsFinding)) return markers.some((m) => mentionsRoots(m) || isAboutRoots(m));
  const names = [decision.at.state, decision.at.group].filter((n): n is string => n !== undefined);
  if (names.length === 0) return false;
  return names.some((name) => {
    const word = new RegExp(`(?:^|[^\\w$.])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w$])`);
    return markers.some((message) => {
      // A kept transport names the state that keeps it; that state still needs its own marker.
      if (message.startsWith(TRANSPORT_KEPT)) return false;
      if (message.includes(`\`${name}\``)) return true;
      return word.test(message.split(/ (?:is|are|lives|decides|spans|keeps|changes) |[;:(]/)[0] ?? '');
    });
  });
}

/**
 * Whether a decision's marker is in the migrated files: above the statement a marker for its first finding is
 * attached to, or where the transform that declined it put it.
 */
export function decisionMarked(files: Readonly<Record<string, string>>, decision: Decision): boolean {
  const text = files[decision.at.file] ?? '';
  return markedAt(text, decision.at.line, decision.at.column) || markedElsewhere(text, decision);
}

function markedAt(text: string, line: number, column: number): boolean {
  const file = createMemoryProject().createSourceFile('/marked.ts', text);
  const node = file.getDescendantAtPos(file.compilerNode.getPositionOfLineAndCharacter(line - 1, column - 1)) ?? file;
  return anchorOf(node).getLeadingCommentRanges().some((range) => range.getText().includes(TODO_MARKER));
}
