/**
 * What the list transforms know about tools/list, prompts/list and resources/list beyond the shared
 * SDK vocabulary: cacheable list methods, where added imports come from, what a credentials check
 * and a handle lookup look like. The transforms read only these tables.
 */

import {
  LIST_CHANGED_NOTIFICATIONS,
  LIST_CHANGED_SENDERS,
  REGISTRATION_METHODS,
  REQUEST_METHODS,
  TOGGLE_METHODS,
  type PrimitiveKind,
} from '../analysis/vocabulary.js';

// The SDK vocabulary (registration methods, toggles, list_changed senders, request methods) is the
// shared analysis table; this module adds only what the list transforms need on top of it.
export { LIST_CHANGED_NOTIFICATIONS, LIST_CHANGED_SENDERS, REGISTRATION_METHODS, REQUEST_METHODS, TOGGLE_METHODS };

/** The three listable primitive kinds. */
export type ListKind = PrimitiveKind;

/** A list method whose result carries SEP-2549 cache fields on the 2026-07-28 revision. */
export type CacheableListMethod = 'tools/list' | 'prompts/list' | 'resources/list' | 'resources/templates/list';

/** Methods on a RegisteredTool / RegisteredPrompt / RegisteredResource that change what the list shows. */
export type ToggleMethod = 'enable' | 'disable' | 'update' | 'remove';

/** v1 schema constant for a request method, for handlers the transform adds. */
export function requestSchemaFor(method: string): string | undefined {
  return Object.entries(REQUEST_METHODS).find(([name, row]) => name.endsWith('Schema') && row.method === method)?.[0];
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

/**
 * Registrations whose handlers come as an object of named functions rather than one callback: v1's
 * experimental `server.experimental.tasks.registerToolTask(name, config, { createTask, getTask, getTaskResult })`.
 * `entry` is the handler a tools/call starts in (where a call-time check belongs); each handler gets the
 * parsed arguments first when the config declares `argsProperty`.
 */
export const HANDLER_OBJECT_REGISTRATIONS: Readonly<Record<string, { kind: ListKind; handlers: readonly string[]; entry: string; argsProperty: string }>> = {
  registerToolTask: { kind: 'tool', handlers: ['createTask', 'getTask', 'getTaskResult'], entry: 'createTask', argsProperty: 'inputSchema' },
};
