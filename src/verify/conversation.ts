import { readFile } from 'node:fs/promises';
import { VerifyError } from './errors.js';

/** One request of a recorded conversation and what the server answered. */
export interface RecordedStep {
  method: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { code: number; message: string };
}

/** A conversation between a client and a server, as `verify record` writes it and `verify replay` reads it. */
export interface Conversation {
  format: 'mcp-sessionless-conversation';
  version: 1;
  server: string;
  recordedAt: string;
  steps: RecordedStep[];
}

export function emptyConversation(server: string): Conversation {
  return { format: 'mcp-sessionless-conversation', version: 1, server, recordedAt: new Date().toISOString(), steps: [] };
}

export async function readConversation(file: string): Promise<Conversation> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new VerifyError(`cannot read the conversation ${file}: ${(error as Error).message}`);
  }
  const conversation = parsed as Partial<Conversation>;
  if (conversation.format !== 'mcp-sessionless-conversation' || !Array.isArray(conversation.steps)) {
    throw new VerifyError(`${file} is not a conversation written by verify record`);
  }
  return conversation as Conversation;
}

/**
 * Pairs JSON-RPC requests with their responses as messages pass a proxy in either direction; each completed
 * pair becomes a step, in the order responses arrive (the order the client saw them).
 */
export class ConversationRecorder {
  private readonly pending = new Map<string, { method: string; params?: Record<string, unknown> }>();

  constructor(
    readonly conversation: Conversation,
    private readonly onStep: (conversation: Conversation) => void = () => {},
  ) {}

  fromClient(message: unknown): void {
    for (const item of Array.isArray(message) ? message : [message]) {
      const m = item as { id?: unknown; method?: unknown; params?: Record<string, unknown> };
      if (m && typeof m.method === 'string' && m.id !== undefined && m.id !== null) this.pending.set(String(m.id), { method: m.method, params: m.params });
    }
  }

  fromServer(message: unknown): void {
    for (const item of Array.isArray(message) ? message : [message]) {
      const m = item as { id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } };
      if (!m || m.id === undefined || m.id === null || (m.result === undefined && m.error === undefined)) continue;
      const request = this.pending.get(String(m.id));
      if (!request) continue;
      this.pending.delete(String(m.id));
      this.conversation.steps.push({ ...request, ...(m.error ? { error: { code: m.error.code, message: m.error.message } } : { result: m.result }) });
      this.onStep(this.conversation);
    }
  }
}
