/**
 * What the MCP SDKs call the things that make tools/list, prompts/list and resources/list vary:
 * registrations, the toggles on what they return, list_changed notifications and list handlers.
 * Both SDK lines share the names below unless a row says otherwise; the static-lists transform
 * reads only these tables, so a renamed SDK method is a one-line change here.
 */

/** The three listable primitive kinds. */
export type ListKind = 'tool' | 'prompt' | 'resource';

/** A list method whose result carries SEP-2549 cache fields on the 2026-07-28 revision. */
export type CacheableListMethod = 'tools/list' | 'prompts/list' | 'resources/list' | 'resources/templates/list';

export interface RegistrationMethod {
  kind: ListKind;
  /** `registerTool`-style methods take a config object at index 1; legacy `tool()` takes loose arguments. */
  style: 'config' | 'legacy';
}

/** High-level `McpServer` registration methods (v2 dropped the legacy ones). */
export const REGISTRATION_METHODS: Readonly<Record<string, RegistrationMethod>> = {
  registerTool: { kind: 'tool', style: 'config' },
  tool: { kind: 'tool', style: 'legacy' },
  registerPrompt: { kind: 'prompt', style: 'config' },
  prompt: { kind: 'prompt', style: 'legacy' },
  registerResource: { kind: 'resource', style: 'config' },
  resource: { kind: 'resource', style: 'legacy' },
};

/** Methods on a RegisteredTool / RegisteredPrompt / RegisteredResource that change what the list shows. */
export type ToggleMethod = 'enable' | 'disable' | 'update' | 'remove';
export const TOGGLE_METHODS: readonly ToggleMethod[] = ['enable', 'disable', 'update', 'remove'];

/** Calls that tell clients to refetch a list, by the list they concern. */
export const LIST_CHANGED_SENDERS: Readonly<Record<string, ListKind>> = {
  sendToolListChanged: 'tool',
  sendPromptListChanged: 'prompt',
  sendResourceListChanged: 'resource',
};

/** The same notifications sent by hand with `server.notification({ method })`. */
export const LIST_CHANGED_NOTIFICATIONS: Readonly<Record<string, ListKind>> = {
  'notifications/tools/list_changed': 'tool',
  'notifications/prompts/list_changed': 'prompt',
  'notifications/resources/list_changed': 'resource',
};

/**
 * Request methods whose handlers serve a request (v2 passes the method string, v1 a schema constant).
 * `list` marks the list endpoints; the rest are handlers in which a side effect counts as "driven by a call".
 */
export const REQUEST_HANDLER_METHODS: Readonly<Record<string, { method: string; list?: ListKind }>> = {
  ListToolsRequestSchema: { method: 'tools/list', list: 'tool' },
  ListPromptsRequestSchema: { method: 'prompts/list', list: 'prompt' },
  ListResourcesRequestSchema: { method: 'resources/list', list: 'resource' },
  ListResourceTemplatesRequestSchema: { method: 'resources/templates/list' },
  CallToolRequestSchema: { method: 'tools/call' },
  GetPromptRequestSchema: { method: 'prompts/get' },
  ReadResourceRequestSchema: { method: 'resources/read' },
  SetLevelRequestSchema: { method: 'logging/setLevel' },
  SubscribeRequestSchema: { method: 'resources/subscribe' },
  UnsubscribeRequestSchema: { method: 'resources/unsubscribe' },
  CompleteRequestSchema: { method: 'completion/complete' },
};

/** v1 schema constant for a request method, for handlers the transform adds. */
export function requestSchemaFor(method: string): string | undefined {
  return Object.entries(REQUEST_HANDLER_METHODS).find(([, row]) => row.method === method)?.[0];
}

/** Which cacheable list a registration of this kind appears in. */
export function cacheableListOf(kind: ListKind, template: boolean): CacheableListMethod {
  if (kind === 'tool') return 'tools/list';
  if (kind === 'prompt') return 'prompts/list';
  return template ? 'resources/templates/list' : 'resources/list';
}

/** Where `ResourceTemplate` comes from on each line. */
export const RESOURCE_TEMPLATE_MODULE = { v1: '@modelcontextprotocol/sdk/server/mcp.js', v2: '@modelcontextprotocol/server' } as const;

/** Where the v1 request schemas come from. */
export const V1_TYPES_MODULE = '@modelcontextprotocol/sdk/types.js';

/**
 * Text in a condition that means "filtered by the request's credentials": allowed by SL004, but the
 * filtered list must be privately cacheable (SL010).
 */
export const AUTH_CONDITION = /\b(authInfo|scopes|scope|clientId|principal|roles?)\b|\.auth\b/;

/**
 * A call that resolves a state handle against the caller (the handle-store contract
 * `handles.resolve(kind, id, principal)`, as the state transforms write it). A gated handler that
 * already makes one errors helpfully without the handle, so the transform only drops the toggles.
 */
export const HANDLE_RESOLVE_METHODS: readonly string[] = ['resolve', 'resolveHandle'];

/** A table row by key, own keys only (`toString` is not an SDK method). */
export function lookup<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
