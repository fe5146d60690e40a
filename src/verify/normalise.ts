import type { ToolResult } from './connect.js';
import { canonicalJson } from './lists.js';

/**
 * Values that legitimately differ between two runs of the same call, as data: each is replaced by a
 * placeholder before results are compared. Order matters: longer shapes first, so a UUID is not half-eaten
 * by the handle pattern.
 */
const VOLATILE: ReadonlyArray<[RegExp, string]> = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?\b/g, '<time>'],
  // The same in a file name, where `:` and `.` became `-` (`shot-2026-12-06T13-20-01-391Z.png`).
  [/\b\d{4}-\d{2}-\d{2}T\d{2}-\d{2}(-\d{2}(-\d{3})?)?Z?(?![\d])/g, '<time>'],
  // A folder mkdtemp made under the temporary directory: its last six characters are random.
  [/(?<=\/tmp\/[\w.-]*?[-_.])[A-Za-z0-9]{6}(?=[\/\s"'\\]|$)/g, '<tmp>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // kind_ followed by a token with a digit or 16+ characters: a handle. It ends where the base64url alphabet
  // ends, not at a word boundary: a token may end in `-`, which a boundary would leave behind.
  [/\b[a-z][a-z0-9]{1,31}_(?:(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{6,}|[A-Za-z0-9_-]{16,})(?![A-Za-z0-9_-])/g, '<handle>'],
  // Epoch seconds or milliseconds.
  [/\b1\d{9}(\d{3})?\b/g, '<time>'],
  // How long something took, as a JSON number under a name that says so (`"executionTimeMs": 2.26`,
  // `"duration_ms": 40`, `"elapsed": 1.5`; not `timeout` or `timestamp`) or as text (`in 12.3 ms`).
  [/("[A-Za-z_]*(?:[Tt]ime|[Dd]uration|[Ee]lapsed|[Ll]atency|[Tt]ook)(?:_?[Mm]s|_?[Ss]ec(?:ond)?s?)?"\s*:\s*)\d+(?:\.\d+)?/g, '$1<duration>'],
  [/\b\d+(?:\.\d+)?\s?ms\b/g, '<duration>'],
  [/\b[0-9a-f]{24,}\b/gi, '<id>'],
];

export function normaliseText(text: string, knownIds: readonly string[] = []): string {
  let out = text;
  for (const id of [...knownIds].sort((a, b) => b.length - a.length)) if (id) out = out.split(id).join('<handle>');
  for (const [pattern, placeholder] of VOLATILE) out = out.replace(pattern, placeholder);
  return out;
}

/** A result reduced to what must be equal: error flag, text and structured content, volatile values replaced. */
export function normaliseResult(result: ToolResult, knownIds: readonly string[] = []): string {
  const content = (result.content ?? []).map((item) => (item.type === 'text' ? normaliseText(item.text ?? '', knownIds) : `[${item.type}]`));
  const structured = result.structuredContent ? normaliseText(canonicalJson(result.structuredContent), knownIds) : undefined;
  return canonicalJson({ isError: result.isError === true, content, structured });
}
