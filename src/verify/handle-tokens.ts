import type { ToolInfo, ToolResult } from './connect.js';

/** A handle a tool returned: the parameter it is passed back as, and its value. */
export interface FoundHandle {
  /** The `*_id` field (structuredContent) or the parameter of another tool the token belongs to. */
  param: string;
  value: string;
}

/**
 * An opaque `kind_…` token in text: a lowercase kind, an underscore, then at least 6 characters with a digit
 * or at least 16 characters (so `list_tables` and other tool names are not taken for handles). It ends where
 * the base64url alphabet ends, not at a word boundary: a random token may end in `-`, which a boundary
 * would cut off.
 */
const TEXT_TOKEN = /\b([a-z][a-z0-9]{1,31})_((?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{1,}|[A-Za-z0-9_-]{16,})(?![A-Za-z0-9_-])/g;

/** Handles in a result: string `*_id` fields of structuredContent first, then `kind_…` tokens in text. */
export function findHandles(result: ToolResult, tools: readonly ToolInfo[], creator: string): FoundHandle[] {
  const found: FoundHandle[] = [];
  for (const [key, value] of Object.entries(result.structuredContent ?? {})) {
    if (key.endsWith('_id') && typeof value === 'string' && value !== '') found.push({ param: key, value });
  }
  if (found.length > 0) return found;
  const text = textOf(result);
  // A JSON object in the text is read like structuredContent.
  for (const match of text.matchAll(/"([A-Za-z0-9_]+_id)"\s*:\s*"([^"]+)"/g)) found.push({ param: match[1]!, value: match[2]! });
  if (found.length > 0) return found;
  for (const match of text.matchAll(TEXT_TOKEN)) {
    const param = paramForKind(match[1]!, tools, creator);
    if (param && !tools.some((tool) => tool.name === match[0])) found.push({ param, value: match[0] });
  }
  return found;
}

/**
 * The parameter a `kind_…` token is passed back as: a required `*_id` parameter of another tool that starts
 * like the kind (`conn` → `connection_id`) or whose description names the creator.
 */
function paramForKind(kind: string, tools: readonly ToolInfo[], creator: string): string | undefined {
  for (const tool of tools) {
    for (const name of tool.inputSchema?.required ?? []) {
      if (!name.endsWith('_id')) continue;
      const description = tool.inputSchema?.properties?.[name]?.description ?? '';
      if (name.startsWith(kind) || kind.startsWith(name.slice(0, -3)) || description.includes(creator)) return name;
    }
  }
  return undefined;
}

export function textOf(result: ToolResult): string {
  return (result.content ?? []).map((item) => (typeof item.text === 'string' ? item.text : '')).join('\n');
}

/** Split a handle into its kind prefix (`cart_`) and the token after it. */
export function splitHandle(value: string): { prefix: string; token: string } {
  const match = /^([a-z][a-z0-9]{0,31}_)(.+)$/.exec(value);
  return match ? { prefix: match[1]!, token: match[2]! } : { prefix: '', token: value };
}

/** A well-formed id that names nothing: the same prefix, length and alphabet as a real one. */
export function unknownLike(value: string): string {
  const { prefix, token } = splitHandle(value);
  // Counter ids: any short number may already be taken, so go far past the count.
  if (/^\d+$/.test(token)) return `${prefix}${'9'.repeat(token.length + 8)}`;
  const alphabet = /^\d+$/.test(token) ? '0123456789' : /^[0-9a-f-]+$/.test(token) ? '0123456789abcdef' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let replaced = '';
  for (const char of token) replaced += /[-_]/.test(char) ? char : alphabet[Math.floor(Math.random() * alphabet.length)];
  // Never the real id, even by chance.
  return replaced === token ? `${prefix}${token}x` : `${prefix}${replaced}`;
}
