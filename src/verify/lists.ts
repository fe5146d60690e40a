import type { Connection } from './connect.js';

/** The list methods whose answers must not depend on the connection or on earlier calls (SL004). */
export const LIST_METHODS = ['tools/list', 'resources/list', 'resources/templates/list', 'prompts/list'] as const;
export type ListMethod = (typeof LIST_METHODS)[number];

export interface ListAnswer {
  /** Items by their key (tool/prompt name, resource uri, template uriTemplate), each as canonical JSON. */
  items: Map<string, string>;
  cacheScope?: string;
  /** The server does not offer this list (no capability). */
  absent?: boolean;
}

export type ListSnapshot = Record<ListMethod, ListAnswer>;

/** Ask for every list once, bypassing the client's response cache so each answer is fresh. */
export async function snapshotLists(connection: Connection): Promise<ListSnapshot> {
  const client = connection.client;
  const capabilities = client.getServerCapabilities() ?? {};
  const fresh = { cacheMode: 'bypass' as const };
  const absent: ListAnswer = { items: new Map(), absent: true };
  const [tools, resources, templates, prompts] = await Promise.all([
    capabilities.tools ? client.listTools(undefined, fresh) : undefined,
    capabilities.resources ? client.listResources(undefined, fresh) : undefined,
    capabilities.resources ? client.listResourceTemplates(undefined, fresh) : undefined,
    capabilities.prompts ? client.listPrompts(undefined, fresh) : undefined,
  ]);
  const answer = (result: Record<string, unknown> | undefined, items: Array<Record<string, unknown>> | undefined, key: string): ListAnswer =>
    result && items
      ? { items: new Map(items.map((item) => [String(item[key]), canonicalJson(item)])), cacheScope: typeof result.cacheScope === 'string' ? result.cacheScope : undefined }
      : absent;
  return {
    'tools/list': answer(tools, tools?.tools as Array<Record<string, unknown>>, 'name'),
    'resources/list': answer(resources, resources?.resources as Array<Record<string, unknown>>, 'uri'),
    'resources/templates/list': answer(templates, templates?.resourceTemplates as Array<Record<string, unknown>>, 'uriTemplate'),
    'prompts/list': answer(prompts, prompts?.prompts as Array<Record<string, unknown>>, 'name'),
  };
}

/** How one list answer differs from another, in words naming the items; undefined when identical. */
export function describeListChange(before: ListAnswer, after: ListAnswer): string | undefined {
  const added = [...after.items.keys()].filter((key) => !before.items.has(key));
  const removed = [...before.items.keys()].filter((key) => !after.items.has(key));
  const changed = [...after.items.keys()].filter((key) => before.items.has(key) && before.items.get(key) !== after.items.get(key));
  const parts = [
    added.length > 0 ? `added ${quoteList(added)}` : '',
    removed.length > 0 ? `removed ${quoteList(removed)}` : '',
    changed.length > 0 ? `changed ${quoteList(changed)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

function quoteList(keys: string[]): string {
  const shown = keys.slice(0, 5).map((key) => `"${key}"`).join(', ');
  return keys.length > 5 ? `${shown} and ${keys.length - 5} more` : shown;
}

/** JSON with object keys sorted, so equal values compare equal as strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
