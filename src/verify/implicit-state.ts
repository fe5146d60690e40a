import { fillArguments } from './arguments.js';
import type { Connection, ToolInfo, ToolResult } from './connect.js';
import { messageOf } from './errors.js';
import { textOf } from './handle-tokens.js';
import { normaliseResult } from './normalise.js';
import type { Outcomes } from './outcomes.js';
import { kindOf, mayCall, type CallPolicy } from './tool-kinds.js';

/** What the readers that take no handle answered, by tool name. */
export type ReaderAnswers = Map<string, { normalised: string; isError: boolean; text: string }>;

/** Readers verify can call without a handle: nothing the client passes can carry state between calls. */
export function handleFreeReaders(tools: readonly ToolInfo[], policy: CallPolicy): ToolInfo[] {
  return tools.filter((tool) => kindOf(tool) === 'reader' && mayCall(tool, policy) && !(tool.inputSchema?.required ?? []).some((name) => name.endsWith('_id')));
}

export async function askReaders(connection: Connection, readers: readonly ToolInfo[]): Promise<ReaderAnswers> {
  const answers: ReaderAnswers = new Map();
  for (const reader of readers) {
    let result: ToolResult;
    try {
      result = await connection.callTool(reader.name, fillArguments(reader));
    } catch (error) {
      result = { isError: true, content: [{ type: 'text', text: `protocol error: ${messageOf(error)}` }] };
    }
    answers.set(reader.name, { normalised: normaliseResult(result), isError: result.isError === true, text: textOf(result) });
  }
  return answers;
}

/**
 * State the creators made must be reachable only through the handles they returned. A handle-free reader
 * that failed before the creators ran and succeeds after them, in a later conversation, is reading a
 * "current" value the process keeps for whoever comes next (SL006): an error. A reader that merely answers
 * differently may be showing application data (a shared catalogue that grew): a warning to look at.
 */
export function compareReaders(outcomes: Outcomes, before: ReaderAnswers, after: ReaderAnswers, creators: readonly string[], where: string): void {
  const by = creators.length > 0 ? creators.join(', ') : 'the calls verify made';
  for (const [tool, first] of before) {
    const later = after.get(tool);
    if (!later) continue;
    if (first.isError && !later.isError) {
      outcomes.fail('implicit-state', tool, `${tool} failed before ${by} ran ("${first.text.slice(0, 100)}") and succeeds ${where} without being passed a handle: it reads state another conversation left in the process. Return a handle from the creator and require it here (SL006)`);
    } else if (first.normalised !== later.normalised) {
      outcomes.fail('implicit-state', tool, `${tool} answers differently ${where} after ${by} ran, without being passed a handle ("${first.text.slice(0, 80)}" → "${later.text.slice(0, 80)}"); fine for shared application data, not for per-conversation state`, 'warning');
    } else {
      outcomes.pass('implicit-state', tool);
    }
  }
}
