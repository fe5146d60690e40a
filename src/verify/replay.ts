import { fillArguments } from './arguments.js';
import { connect, describeTarget, type Connection, type ToolInfo, type ToolResult } from './connect.js';
import type { Conversation, RecordedStep } from './conversation.js';
import { messageOf, VerifyError } from './errors.js';
import { findHandles, textOf } from './handle-tokens.js';
import { canonicalJson } from './lists.js';
import { normaliseText } from './normalise.js';
import { Outcomes } from './outcomes.js';
import { isSelectionSetter, kindOf } from './tool-kinds.js';
import type { VerifyReport, VerifyTarget } from './types.js';

export { readConversation } from './conversation.js';

/** What the replay knows when a migrated tool asks for more than the old call passed. */
interface Thread {
  /** Handles the migrated server returned so far, by parameter name. */
  handles: Map<string, string>;
  /** Arguments the recorded conversation passed so far, by name (the latest wins). */
  arguments: Map<string, unknown>;
  /** Values given to removed selection setters (`use_database {name: "x"}` → database: "x"). */
  selections: Map<string, unknown>;
  /** The migrated server's resource templates, listed on the first read that needs them. */
  templates?: string[];
}

/**
 * Play a recorded conversation against a (migrated) server. Tool calls, resource reads and prompt gets are
 * sent again in order; a required parameter the old call did not pass is threaded in; each answer is
 * compared with the recorded one (ids, handles and timestamps normalised) and every difference is reported
 * with its step number (1-based, counting every recorded step).
 */
export async function replayConversation(conversation: Conversation, target: VerifyTarget): Promise<VerifyReport> {
  const started = performance.now();
  const outcomes = new Outcomes();
  const report: VerifyReport = { target: describeTarget(target), outcomes: outcomes.list, calls: [], durationMs: 0 };
  let connection: Connection;
  try {
    connection = await connect(target);
  } catch (error) {
    throw new VerifyError(`cannot connect to ${report.target}: ${messageOf(error)}`, { cause: error });
  }
  try {
    report.protocolVersion = connection.protocolVersion;
    report.era = connection.era;
    const tools = (await connection.client.listTools(undefined, { cacheMode: 'bypass' })).tools as ToolInfo[];
    const thread: Thread = { handles: new Map(), arguments: new Map(), selections: new Map() };
    for (const [index, step] of conversation.steps.entries()) {
      const label = `step ${index + 1}`;
      if (step.method === 'tools/call') await replayToolCall(connection, tools, thread, step, label, outcomes, report);
      else if (step.method === 'resources/read' || step.method === 'prompts/get') await replayRead(connection, tools, thread, step, label, outcomes, report);
    }
  } finally {
    await connection.close();
  }
  report.durationMs = performance.now() - started;
  return report;
}

async function replayToolCall(connection: Connection, tools: readonly ToolInfo[], thread: Thread, step: RecordedStep, label: string, outcomes: Outcomes, report: VerifyReport): Promise<void> {
  const name = String(step.params?.name ?? '');
  const oldArgs = (step.params?.arguments ?? {}) as Record<string, unknown>;
  const subject = `${label} (${name})`;
  const tool = tools.find((t) => t.name === name);
  remember(thread.arguments, oldArgs);
  if (!tool) {
    if (isSelectionSetter(name)) {
      // A removed "current selection" setter: its value becomes a parameter of the later calls.
      const noun = name.split(/[_-]/).slice(1).join('_');
      for (const value of Object.values(oldArgs)) thread.selections.set(noun, value);
      outcomes.skip('replay', subject, `${name} is gone from the migrated server; its value ${JSON.stringify(Object.values(oldArgs)[0])} is passed to later calls`);
    } else {
      outcomes.fail('replay', subject, `the migrated server has no tool ${name}`);
    }
    return;
  }
  const args = { ...oldArgs };
  for (const param of tool.inputSchema?.required ?? []) {
    if (param in args) continue;
    const value = await threadedValue(connection, tools, thread, param, report, outcomes, label);
    if (value === undefined) {
      outcomes.fail('replay', subject, `${name} now requires ${param}, which the old call did not pass, and no earlier handle, argument, selection or creator supplies it`);
      return;
    }
    args[param] = value;
  }
  let result: ToolResult | undefined;
  let error: string | undefined;
  try {
    result = await connection.callTool(name, args);
  } catch (thrown) {
    error = messageOf(thrown);
  }
  report.calls.push({ tool: name, isError: error !== undefined || result?.isError === true });
  if (result) for (const handle of findHandles(result, tools, name)) thread.handles.set(handle.param, handle.value);
  const known = [...thread.handles.values()];
  const expected = step.error ? `protocol error ${step.error.code}` : comparable(step.result as ToolResult, known, undefined);
  const actual = error !== undefined ? `protocol error` : comparable(result!, known, step.result as ToolResult);
  outcomes.expect('replay', subject, sameAnswer(expected, actual, step.error !== undefined, error !== undefined) ? undefined : `answers differently: recorded ${shorten(expected)}, now ${shorten(error ?? actual)}`);
}

/** Where a missing required parameter comes from, in this order: a handle, an old argument, a selection, a creator. */
async function threadedValue(connection: Connection, tools: readonly ToolInfo[], thread: Thread, param: string, report: VerifyReport, outcomes: Outcomes, label: string): Promise<unknown> {
  if (thread.handles.has(param)) return thread.handles.get(param);
  if (thread.arguments.has(param)) return thread.arguments.get(param);
  for (const [noun, value] of thread.selections) if (noun && (param === noun || param.startsWith(`${noun}_`) || noun.startsWith(param))) return value;
  const creator = tools.find((tool) => tool.outputSchema?.properties?.[param] !== undefined) ?? tools.find((tool) => kindOf(tool) === 'creator' && (tool.description ?? '').includes(param));
  if (!creator) return undefined;
  const args = fillArguments(creator, new Map([...thread.arguments, ...thread.handles]));
  try {
    const result = await connection.callTool(creator.name, args);
    report.calls.push({ tool: creator.name, isError: result.isError === true });
    for (const handle of findHandles(result, tools, creator.name)) thread.handles.set(handle.param, handle.value);
  } catch (error) {
    outcomes.fail('replay', `${label} (${creator.name})`, `calling ${creator.name} to obtain ${param} failed: ${messageOf(error)}`);
  }
  return thread.handles.get(param);
}

/**
 * A tool result as the comparison sees it: text with volatile values replaced, without what migration adds
 * on purpose (content items carrying only handles, resource links, structured fields the old result lacked).
 */
function comparable(result: ToolResult, knownIds: readonly string[], recorded: ToolResult | undefined): string {
  const content = (result.content ?? []).filter((item) => !(item.type === 'resource_link' || (item.type === 'text' && (onlyHandles(item.text ?? '') || isRecordLink(item.text ?? '', knownIds)))));
  const text = normaliseText(unkeyed(textOf({ content }), knownIds), knownIds);
  let structured: string | undefined;
  if (result.structuredContent && (recorded === undefined || recorded.structuredContent)) {
    const keep = Object.entries(result.structuredContent).filter(([key]) => recorded === undefined || recorded.structuredContent?.[key] !== undefined || !key.endsWith('_id'));
    structured = keep.length > 0 ? normaliseText(unkeyed(canonicalJson(Object.fromEntries(keep)), knownIds), knownIds) : undefined;
  }
  return `${result.isError ? 'error: ' : ''}${text}${structured ? ` ${structured}` : ''}`;
}

function onlyHandles(text: string): boolean {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    return typeof value === 'object' && value !== null && Object.keys(value).length > 0 && Object.keys(value).every((key) => key.endsWith('_id') || key.startsWith('expires'));
  } catch {
    return false;
  }
}

/**
 * Text with the URIs of records' resources as the old server wrote them: the migration puts the record's id
 * after the scheme on purpose (`research://<id>/screenshots/0` for `research://screenshots/0`).
 */
function unkeyed(text: string, knownIds: readonly string[]): string {
  let out = text;
  for (const id of knownIds) if (id) out = out.split(`://${id}/`).join('://');
  return out;
}

/** A link to a record's resource written as text (SDK releases without resource_link): one URI naming a handle. */
function isRecordLink(text: string, knownIds: readonly string[]): boolean {
  const uri = text.trim();
  return /^[A-Za-z][\w+.-]*:\/\/\S+$/.test(uri) && knownIds.some((id) => id !== '' && uri.includes(id));
}

function sameAnswer(expected: string, actual: string, expectedProtocolError: boolean, actualProtocolError: boolean): boolean {
  if (expectedProtocolError || actualProtocolError) return expectedProtocolError === actualProtocolError;
  return expected === actual;
}

async function replayRead(connection: Connection, tools: readonly ToolInfo[], thread: Thread, step: RecordedStep, label: string, outcomes: Outcomes, report: VerifyReport): Promise<void> {
  const recordedUri = step.method === 'resources/read' ? String(step.params?.uri ?? '') : undefined;
  const subject = `${label} (${step.method} ${recordedUri ?? String(step.params?.name ?? '')})`;
  // A resource the migration moved into a record is read under the record's id (`console://logs` →
  // `console://{browser_id}/logs`), with the handle this replay holds for it.
  const keyed = recordedUri === undefined ? undefined : await keyedUri(connection, tools, thread, recordedUri, report, outcomes, label);
  let actual: unknown;
  let failed = false;
  try {
    actual = step.method === 'resources/read' ? await connection.client.readResource({ ...(step.params as { uri: string }), uri: keyed ?? recordedUri! }) : await connection.client.getPrompt(step.params as { name: string });
  } catch {
    failed = true;
  }
  const known = [...thread.handles.values()];
  const expected = step.error ? 'error' : normaliseText(canonicalJson(step.result ?? {}), known);
  // The answer names the URI it was asked for: compare it under the URI the old server knew.
  const answered = failed ? 'error' : canonicalJson(actual);
  const now = failed ? 'error' : normaliseText(unkeyed(keyed && recordedUri ? answered.split(keyed).join(recordedUri) : answered, known), known);
  outcomes.expect('replay', subject, expected === now ? undefined : `answers differently: recorded ${shorten(expected)}, now ${shorten(now)}`);
}

/**
 * The URI a recorded read has on the migrated server: when one of its resource templates is the recorded URI's
 * scheme followed by a handle parameter (`screenshot://{browser_id}/{name}` for `screenshot://home`), the
 * handle goes in after the scheme; otherwise undefined (the URI is read as recorded).
 */
async function keyedUri(connection: Connection, tools: readonly ToolInfo[], thread: Thread, uri: string, report: VerifyReport, outcomes: Outcomes, label: string): Promise<string | undefined> {
  const scheme = /^[A-Za-z][\w+.-]*:\/\//.exec(uri)?.[0];
  if (!scheme) return undefined;
  thread.templates ??= await listTemplates(connection);
  for (const template of thread.templates) {
    const match = /^([A-Za-z][\w+.-]*:\/\/)\{(\w+_id)\}\/(.*)$/.exec(template);
    if (!match || match[1] !== scheme || !templateMatches(match[3]!, uri.slice(scheme.length))) continue;
    const handle = await threadedValue(connection, tools, thread, match[2]!, report, outcomes, label);
    if (typeof handle === 'string') return `${scheme}${handle}/${uri.slice(scheme.length)}`;
  }
  return undefined;
}

async function listTemplates(connection: Connection): Promise<string[]> {
  try {
    return (await connection.client.listResourceTemplates()).resourceTemplates.map((t) => t.uriTemplate);
  } catch {
    return []; // a server without templates
  }
}

/** Whether a URI template's path (`{name}`, `logs`) matches a URI's path. */
function templateMatches(template: string, path: string): boolean {
  const pattern = template.split(/(\{[^}]+\})/).map((part) => (part.startsWith('{') ? '[^?#]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${pattern}$`).test(path);
}

function remember(into: Map<string, unknown>, args: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(args)) into.set(key, value);
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > 160 ? `${flat.slice(0, 157)}…` : flat);
}

