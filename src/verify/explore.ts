import { fillArguments } from './arguments.js';
import type { Connection, ToolInfo, ToolResult } from './connect.js';
import { messageOf } from './errors.js';
import { findHandles } from './handle-tokens.js';
import { snapshotLists, type ListSnapshot } from './lists.js';
import type { Outcomes } from './outcomes.js';
import { compareAfterCall } from './protocol-checks.js';
import type { ScenarioCall } from './scenario.js';
import { kindOf, mayCall, type CallPolicy } from './tool-kinds.js';
import type { VerifyReport } from './types.js';

export interface ExplorePolicy extends CallPolicy {
  /** Calls from a scenario file, made in order after the exploration. */
  scenario: readonly ScenarioCall[];
  /** How many handles to mint per creator for the randomness checks (at least 3 to see a counter). */
  mints: number;
}

/** The handles one creator minted, and the arguments it was called with. */
export interface MintedHandles {
  creator: string;
  param: string;
  ids: string[];
  args: Record<string, unknown>;
}

/** A call verify makes: recorded in the report; a thrown protocol error becomes a warning, not a crash. */
export async function callTool(connection: Connection, report: Pick<VerifyReport, 'calls'>, outcomes: Outcomes, name: string, args: Record<string, unknown>): Promise<ToolResult | undefined> {
  try {
    const result = await connection.callTool(name, args);
    report.calls.push({ tool: name, isError: result.isError === true });
    return result;
  } catch (error) {
    report.calls.push({ tool: name, isError: true });
    outcomes.fail('tool-call', name, `${name} ${JSON.stringify(args)} failed with a protocol error: ${messageOf(error)}`);
    return undefined;
  }
}

/**
 * Call every creator (several times, to mint several handles) and then every reader, with arguments from
 * their schemas and the handles minted so far; after each call the lists must be what they were before.
 */
export async function explore(
  connection: Connection,
  tools: readonly ToolInfo[],
  baseline: ListSnapshot,
  policy: ExplorePolicy,
  outcomes: Outcomes,
  report: Pick<VerifyReport, 'calls'>,
): Promise<MintedHandles[]> {
  const callable = tools.filter((tool) => mayCall(tool, policy));
  const creators = callable.filter((tool) => kindOf(tool) === 'creator');
  // Scenario calls come last, in their own order.
  const others = callable.filter((tool) => kindOf(tool) !== 'creator' && !policy.scenario.some((call) => call.tool === tool.name));
  const minted: MintedHandles[] = [];
  const known = new Map<string, unknown>();
  const listsUnchangedBy = async (tool: string) => compareAfterCall(outcomes, baseline, await snapshotLists(connection), tool);

  // A scenario call of a creator gives the creator's arguments (a project name it knows), not one more call.
  const scenarioArgs = (name: string) => policy.scenario.find((call) => call.tool === name)?.arguments;
  const scenarioCalls = policy.scenario.filter((call) => !creators.some((creator) => creator.name === call.tool));
  for (const creator of creators) {
    const args = fillArguments(creator, known, scenarioArgs(creator.name));
    for (let i = 0; i < policy.mints; i++) {
      const result = await callTool(connection, report, outcomes, creator.name, args);
      await listsUnchangedBy(creator.name);
      if (!result || result.isError) break;
      for (const handle of findHandles(result, tools, creator.name)) {
        let group = minted.find((m) => m.creator === creator.name && m.param === handle.param);
        if (!group) minted.push((group = { creator: creator.name, param: handle.param, ids: [], args }));
        group.ids.push(handle.value);
        if (!known.has(handle.param)) known.set(handle.param, handle.value);
      }
    }
  }
  for (const tool of others) {
    await callTool(connection, report, outcomes, tool.name, fillArguments(tool, known));
    await listsUnchangedBy(tool.name);
  }
  for (const call of scenarioCalls) {
    const tool = tools.find((t) => t.name === call.tool);
    if (!tool) {
      outcomes.fail('tool-call', call.tool, `the scenario calls ${call.tool}, which tools/list does not have`);
      continue;
    }
    const result = await callTool(connection, report, outcomes, tool.name, fillArguments(tool, known, call.arguments));
    await listsUnchangedBy(tool.name);
    for (const handle of result ? findHandles(result, tools, tool.name) : []) if (!known.has(handle.param)) known.set(handle.param, handle.value);
  }
  for (const method of Object.keys(baseline) as Array<keyof ListSnapshot>) {
    if (!outcomes.list.some((o) => o.check === 'lists-after-calls' && o.subject === method) && !baseline[method].absent) outcomes.pass('lists-after-calls', method);
  }
  return minted;
}
