import { fillArguments } from './arguments.js';
import { connect, type Connection, type ToolInfo, type ToolResult } from './connect.js';
import { messageOf } from './errors.js';
import type { MintedHandles } from './explore.js';
import { handleWeaknesses } from './handle-entropy.js';
import { textOf, unknownLike } from './handle-tokens.js';
import { normaliseText } from './normalise.js';
import type { Outcomes } from './outcomes.js';
import { kindOf, mayCall, type CallPolicy } from './tool-kinds.js';
import type { VerifyTarget } from './types.js';

export interface HandleCheckContext {
  target: VerifyTarget;
  tools: readonly ToolInfo[];
  connection: Connection;
  outcomes: Outcomes;
  policy: CallPolicy;
  /** Text that must not appear in ids: the caller's credentials. */
  principalTexts: string[];
}

/**
 * The checks of one creator's handles: random and ≥128 bits; usable from a second connection and replica;
 * refused for another principal exactly like an unknown id; an unknown id is a tool error naming the creator.
 */
export async function checkHandles(context: HandleCheckContext, minted: MintedHandles): Promise<void> {
  const { outcomes, target } = context;
  const subject = `${minted.creator} (${minted.param})`;
  const weaknesses = handleWeaknesses(minted.ids, context.principalTexts);
  const severe = weaknesses.some((w) => w.severe);
  outcomes.expect(
    'handle-entropy',
    subject,
    weaknesses.length > 0 ? `${minted.param} from ${minted.creator} is ${severe ? 'guessable' : 'short of SL007'}: ${weaknesses.map((w) => w.message).join('; ')}. Mint ids from a CSPRNG, e.g. kind_ + 24 base64url chars (SL007)` : undefined,
    severe ? 'error' : 'warning',
  );

  const consumer = consumerOf(context, minted);
  if (!consumer) {
    const message = `no tool verify may call takes ${minted.param}; pass --call-all to let verify use one`;
    for (const check of ['handle-unknown', 'handle-other-connection', 'handle-principal'] as const) outcomes.skip(check, subject, message);
    return;
  }
  const id = minted.ids[0]!;
  const argsWith = (value: string) => fillArguments(consumer, new Map([[minted.param, value]]));
  const where = `${consumer.name} ${minted.param}`;

  // An id nobody minted: a tool error (not a protocol error) that says which tool makes a new one.
  const unknownId = unknownLike(id);
  const unknown = await attempt(context.connection, consumer.name, argsWith(unknownId));
  if (typeof unknown === 'string') outcomes.fail('handle-unknown', subject, `${where}: an unknown id got a protocol error (${unknown}); answer a tool error (isError) naming ${minted.creator} (SL009)`);
  else if (!unknown.isError) outcomes.fail('handle-unknown', subject, `${where}: an unknown id "${unknownId}" was accepted; a handle the server never minted must be refused (SL009)`);
  else outcomes.expect('handle-unknown', subject, textOf(unknown).includes(minted.creator) ? undefined : `${where}: the error for an unknown id does not name ${minted.creator} ("${textOf(unknown).slice(0, 160)}"); say which tool makes a new one (SL009)`);

  if (target.kind === 'stdio') {
    outcomes.skip('handle-other-connection', subject, 'a stdio server serves one client; its handles live as long as its process');
  } else {
    await checkElsewhere(context, 'handle-other-connection', subject, consumer.name, argsWith(id), {});
    if (target.replicaUrl) await checkElsewhere(context, 'handle-replica', subject, consumer.name, argsWith(id), { url: target.replicaUrl });
  }

  if (target.kind === 'http' && target.headersB) {
    const other = await connect(target, { principal: 'b' });
    try {
      const foreign = await attempt(other, consumer.name, argsWith(id));
      const unknownForB = await attempt(other, consumer.name, argsWith(unknownId));
      outcomes.expect('handle-principal', subject, principalProblem(where, id, unknownId, foreign, unknownForB));
    } finally {
      await other.close();
    }
  } else {
    outcomes.skip('handle-principal', subject, 'needs a second principal (--header-b)');
  }
}

function principalProblem(where: string, id: string, unknownId: string, foreign: ToolResult | string, unknown: ToolResult | string): string | undefined {
  if (typeof foreign !== 'string' && !foreign.isError) return `${where}: the second principal used the first principal's handle; bind handles to the principal from verified auth (SL008)`;
  const shape = (answer: ToolResult | string, value: string) => (typeof answer === 'string' ? `protocol error: ${normaliseText(answer, [value])}` : `tool error: ${normaliseText(textOf(answer), [value])}`);
  const asForeign = shape(foreign, id);
  const asUnknown = shape(unknown, unknownId);
  return asForeign === asUnknown ? undefined : `${where}: another principal's handle is refused differently from an unknown id ("${asForeign.slice(0, 120)}" vs "${asUnknown.slice(0, 120)}"), which tells callers it exists (SL008)`;
}

async function checkElsewhere(context: HandleCheckContext, check: 'handle-other-connection' | 'handle-replica', subject: string, tool: string, args: Record<string, unknown>, options: { url?: string }): Promise<void> {
  const connection = await connect(context.target, options);
  try {
    const answer = await attempt(connection, tool, args);
    const place = check === 'handle-replica' ? `the replica ${options.url}` : 'a second connection';
    const problem =
      typeof answer === 'string'
        ? `${tool} on ${place} failed with a protocol error: ${answer}`
        : answer.isError
          ? `${tool} on ${place} refused the handle: "${textOf(answer).slice(0, 160)}"; state spanning requests must live in a store every connection${check === 'handle-replica' ? ' and replica' : ''} reaches (SL003)`
          : undefined;
    context.outcomes.expect(check, subject, problem);
  } finally {
    await connection.close();
  }
}

/** A tool's result, or the message of the protocol error it raised. */
async function attempt(connection: Connection, tool: string, args: Record<string, unknown>): Promise<ToolResult | string> {
  try {
    return await connection.callTool(tool, args);
  } catch (error) {
    return messageOf(error);
  }
}

/** A tool other than the creator that requires the handle, preferring readers; only tools verify may call. */
function consumerOf(context: HandleCheckContext, minted: MintedHandles): ToolInfo | undefined {
  const takers = context.tools.filter((tool) => tool.name !== minted.creator && (tool.inputSchema?.required ?? []).includes(minted.param) && mayCall(tool, context.policy));
  // A reader leaves the handle as it was; a tool the user named comes next; a destructive one last.
  return (
    takers.find((tool) => kindOf(tool) === 'reader') ??
    takers.find((tool) => context.policy.named?.includes(tool.name)) ??
    takers.find((tool) => kindOf(tool) !== 'destructive') ??
    takers[0]
  );
}
