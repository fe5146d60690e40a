import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { packageVersion } from '../version.js';
import type { HttpTarget, StdioTarget, VerifyTarget } from './types.js';

/** A tool result as verify reads it (both protocol eras). */
export interface ToolResult {
  isError?: boolean;
  content?: Array<{ type: string; text?: string; uri?: string; [key: string]: unknown }>;
  structuredContent?: Record<string, unknown>;
}

/** A JSON Schema object as tools publish it. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  format?: string;
  minimum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

export interface ToolInfo {
  name: string;
  description?: string;
  inputSchema?: JsonSchema;
  outputSchema?: JsonSchema;
  annotations?: { readOnlyHint?: boolean; destructiveHint?: boolean; idempotentHint?: boolean };
}

/** One live conversation with the server. */
export interface Connection {
  readonly client: Client;
  readonly protocolVersion: string | undefined;
  readonly era: 'modern' | 'legacy' | undefined;
  /** Every `Mcp-Session-Id` the server sent on this connection (HTTP only). */
  readonly sessionIds: string[];
  callTool(name: string, args: Record<string, unknown>): Promise<ToolResult>;
  close(): Promise<void>;
}

export type Principal = 'a' | 'b';

const CLIENT_INFO = { name: 'mcp-sessionless-verify', version: packageVersion() };

/**
 * Open a fresh conversation: a new HTTP client (with the principal's headers) or, for stdio, a new server
 * process. The real v2 Client negotiates 2026-07-28 where the server offers it and falls back to the 2025
 * handshake otherwise.
 */
export async function connect(target: VerifyTarget, options: { principal?: Principal; url?: string } = {}): Promise<Connection> {
  const sessionIds: string[] = [];
  const client = new Client(CLIENT_INFO, { versionNegotiation: { mode: 'auto' } });
  if (target.kind === 'http') {
    const headers = headersOf(target, options.principal ?? 'a');
    const watchingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const id = response.headers.get('mcp-session-id');
      if (id) sessionIds.push(id);
      return response;
    };
    await client.connect(new StreamableHTTPClientTransport(new URL(options.url ?? target.url), { requestInit: { headers }, fetch: watchingFetch }));
  } else {
    await client.connect(new StdioClientTransport(stdioParams(target)));
  }
  return {
    client,
    protocolVersion: client.getNegotiatedProtocolVersion(),
    era: client.getProtocolEra(),
    sessionIds,
    callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as ToolResult,
    close: () => client.close(),
  };
}

export function headersOf(target: HttpTarget, principal: Principal): Record<string, string> {
  return (principal === 'a' ? target.headers : target.headersB) ?? {};
}

function stdioParams(target: StdioTarget) {
  return {
    command: target.command,
    args: target.args ?? [],
    cwd: target.cwd,
    env: { ...(process.env as Record<string, string>), ...target.env },
    // The server's own logging is not part of the report.
    stderr: 'ignore' as const,
  };
}

/** The target in one line, for reports. */
export function describeTarget(target: VerifyTarget): string {
  return target.kind === 'http' ? target.url : [target.command, ...(target.args ?? [])].join(' ');
}

/** Parse `Name: value` header flags. */
export function parseHeaders(lines: readonly string[] = []): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new TypeError(`a header is "Name: value"; got "${line}"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}
