import { connect, describeTarget, type Connection, type ToolInfo } from './connect.js';
import { messageOf, VerifyError } from './errors.js';
import { explore, type ExplorePolicy } from './explore.js';
import { checkHandles } from './handle-checks.js';
import { askReaders, compareReaders, handleFreeReaders } from './implicit-state.js';
import { snapshotLists } from './lists.js';
import { Outcomes } from './outcomes.js';
import type { Scenario } from './scenario.js';
import { checkGetDelete, checkListsAcrossConnections, checkListsByPrincipal, checkSessionIds } from './protocol-checks.js';
import { kindOf } from './tool-kinds.js';
import type { VerifyReport, VerifyTarget } from './types.js';

export interface VerifyOptions {
  /** Call every tool not annotated destructive, not only creators and readers. */
  callAll?: boolean;
  /** Also call tools annotated destructiveHint. */
  allowDestructive?: boolean;
  /** Handles minted per creator for the randomness checks. Default 3. */
  mints?: number;
  /** Calls to make beyond the safe default (see {@link Scenario}). */
  scenario?: Scenario;
}

/**
 * Check a live server against SEP-2567: no session id, 405 on GET/DELETE, lists that depend on nothing but
 * the principal, handles that are random, portable across connections and replicas, bound to the principal,
 * and explained when unknown; no state shared implicitly between conversations.
 * Throws {@link VerifyError} when the server cannot be reached or started.
 */
export async function verifyServer(target: VerifyTarget, options: VerifyOptions = {}): Promise<VerifyReport> {
  const started = performance.now();
  const outcomes = new Outcomes();
  const report: VerifyReport = { target: describeTarget(target), outcomes: outcomes.list, calls: [], durationMs: 0 };
  const scenario = options.scenario?.calls ?? [];
  const policy: ExplorePolicy = {
    callAll: options.callAll ?? false,
    allowDestructive: options.allowDestructive ?? false,
    named: scenario.map((call) => call.tool),
    scenario,
    mints: Math.max(1, options.mints ?? 3),
  };
  const opened: Connection[] = [];
  const open = async (...args: Parameters<typeof connect>) => {
    const connection = await connect(...args);
    opened.push(connection);
    return connection;
  };

  let first: Connection;
  try {
    first = await open(target);
  } catch (error) {
    throw new VerifyError(`cannot connect to ${report.target}: ${messageOf(error)}`, { cause: error });
  }
  try {
    report.protocolVersion = first.protocolVersion;
    report.era = first.era;
    const baseline = await snapshotLists(first);
    const second = await checkListsAcrossConnections(outcomes, target, baseline);
    opened.push(second);
    const tools = (await first.client.listTools(undefined, { cacheMode: 'bypass' })).tools as ToolInfo[];

    // Readers without handles, before anything was created; asked again in a later conversation below.
    const readers = handleFreeReaders(tools, policy);
    const before = await askReaders(first, readers);
    const minted = await explore(first, tools, baseline, policy, outcomes, report);
    const creators = [...new Set(report.calls.map((call) => call.tool))].filter((name) => tools.some((tool) => tool.name === name && kindOf(tool) === 'creator'));
    // stdio: the same process serves the next conversation; HTTP: any connection may.
    const later = target.kind === 'stdio' ? first : await open(target);
    compareReaders(outcomes, before, await askReaders(later, readers), creators, target.kind === 'stdio' ? 'later in the same process' : 'on a new connection');

    const principalTexts = target.kind === 'http' ? credentialTexts({ ...target.headers, ...target.headersB }) : [];
    for (const group of minted) await checkHandles({ target, tools, connection: first, outcomes, policy, principalTexts }, group);

    if (target.kind === 'http') {
      await checkGetDelete(outcomes, target);
      if (target.headersB) await checkListsByPrincipal(outcomes, target, baseline, first.era);
    }
    if (target.kind === 'http') checkSessionIds(outcomes, opened);
  } finally {
    await Promise.allSettled(opened.map((connection) => connection.close()));
  }
  report.durationMs = performance.now() - started;
  return report;
}

/** Parts of credential headers an id must not contain (token values, and their segments of 4+ characters). */
function credentialTexts(headers: Record<string, string>): string[] {
  const texts = new Set<string>();
  for (const value of Object.values(headers)) {
    const secret = value.replace(/^(Bearer|Basic)\s+/i, '');
    texts.add(secret);
    for (const part of secret.split(/[^A-Za-z0-9]+/)) if (part.length >= 4) texts.add(part);
  }
  return [...texts];
}
