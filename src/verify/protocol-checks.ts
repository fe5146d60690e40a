import { connect, headersOf, type Connection } from './connect.js';
import { describeListChange, LIST_METHODS, snapshotLists, type ListSnapshot } from './lists.js';
import type { Outcomes } from './outcomes.js';
import type { HttpTarget, VerifyTarget } from './types.js';

/** SL001: no response on any connection verify opened carried an Mcp-Session-Id. */
export function checkSessionIds(outcomes: Outcomes, connections: readonly Connection[]): void {
  const ids = connections.flatMap((c) => c.sessionIds);
  outcomes.expect(
    'session-id',
    'endpoint',
    ids.length > 0 ? `the server issued Mcp-Session-Id "${ids[0]}" (${ids.length} response(s)); a sessionless server sends none (SL001: drop sessionIdGenerator)` : undefined,
  );
}

/** SL002: GET and DELETE on the endpoint answer 405 (there is no stream or session to open or end). */
export async function checkGetDelete(outcomes: Outcomes, target: HttpTarget): Promise<void> {
  for (const method of ['GET', 'DELETE'] as const) {
    const response = await fetch(target.url, { method, headers: { accept: 'application/json, text/event-stream', ...headersOf(target, 'a') } });
    await response.body?.cancel();
    outcomes.expect('get-delete-405', `${method} ${new URL(target.url).pathname}`, response.status === 405 ? undefined : `${method} answered ${response.status}; a sessionless endpoint answers 405 Method Not Allowed`);
  }
}

/** SL004: a second fresh connection sees exactly the lists the first one saw. */
export async function checkListsAcrossConnections(outcomes: Outcomes, target: VerifyTarget, baseline: ListSnapshot): Promise<Connection> {
  const second = await connect(target);
  const other = await snapshotLists(second);
  for (const method of LIST_METHODS) {
    if (baseline[method].absent && other[method].absent) continue;
    const change = describeListChange(baseline[method], other[method]);
    outcomes.expect('lists-across-connections', method, change && `${method} differs on a second fresh connection: ${change}. Lists must not depend on the connection (SL004)`);
  }
  return second;
}

/** SL004 after a call: the lists on the same connection are unchanged by `tool`. */
export function compareAfterCall(outcomes: Outcomes, baseline: ListSnapshot, after: ListSnapshot, tool: string): void {
  for (const method of LIST_METHODS) {
    if (baseline[method].absent && after[method].absent) continue;
    // One finding per list: the first call that changed it is the one to look at.
    if (outcomes.list.some((o) => o.check === 'lists-after-calls' && o.subject === method)) continue;
    const change = describeListChange(baseline[method], after[method]);
    if (change) outcomes.fail('lists-after-calls', method, `${method} changed after calling ${tool}: ${change}. Register everything up front; lists must not follow earlier calls (SL004)`);
  }
}

/**
 * SL010: lists the second principal sees differently are filtered by auth, which is allowed, but then both
 * answers must say `cacheScope: "private"` so no cache shares them (only the 2026-07-28 era has the field).
 */
export async function checkListsByPrincipal(outcomes: Outcomes, target: HttpTarget, baseline: ListSnapshot, era: string | undefined): Promise<void> {
  const connection = await connect(target, { principal: 'b' });
  try {
    const other = await snapshotLists(connection);
    for (const method of LIST_METHODS) {
      const change = describeListChange(baseline[method], other[method]);
      if (!change) continue;
      if (era !== 'modern') {
        outcomes.skip('lists-cache-scope', method, `${method} differs by principal (${change}); the negotiated revision has no cacheScope`);
        continue;
      }
      const scopes = [baseline[method].cacheScope, other[method].cacheScope];
      outcomes.expect(
        'lists-cache-scope',
        method,
        scopes.every((scope) => scope === 'private') ? undefined : `${method} differs by principal (${change}) but answers cacheScope ${scopes.map((s) => JSON.stringify(s ?? 'unset')).join(' / ')}; a filtered list must say "private" (SL010)`,
      );
    }
  } finally {
    await connection.close();
  }
}
