import type { JsonSchema, ToolInfo } from './connect.js';

/** Plausible values for string parameters, by parameter name: data, so new names are one line. */
const STRING_BY_NAME: ReadonlyArray<[RegExp, string]> = [
  [/url|uri|endpoint|href/i, 'https://example.com/'],
  [/email/i, 'verify@example.com'],
  [/path|file|dir/i, 'verify.txt'],
  [/sku|code/i, 'SKU-1'],
  [/date/i, '2026-01-01'],
  [/lang|locale/i, 'en'],
  [/query|search|text|message|content|note|body/i, 'hello'],
];

/** Values known for parameters: handles minted so far, and values a recording used. */
export type KnownValues = ReadonlyMap<string, unknown>;

/**
 * Arguments for a tool from its input schema: every required property gets a known value (a minted handle,
 * an argument seen earlier) or a plausible one from its type, enum, default, format, an "e.g." in its
 * description, or its name. Optional properties are left out.
 */
export function fillArguments(tool: ToolInfo, known: KnownValues = new Map(), given: Record<string, unknown> = {}): Record<string, unknown> {
  const args: Record<string, unknown> = { ...given };
  const schema = tool.inputSchema ?? {};
  for (const name of schema.required ?? []) {
    if (name in args) continue;
    args[name] = known.has(name) ? known.get(name) : plausibleValue(name, schema.properties?.[name] ?? {});
  }
  return args;
}

export function plausibleValue(name: string, schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.default !== undefined) return schema.default;
  if (schema.enum && schema.enum.length > 0) return schema.enum[0];
  const variant = schema.anyOf?.[0] ?? schema.oneOf?.[0];
  if (variant) return plausibleValue(name, variant);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'number':
    case 'integer': {
      const floor = schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
      return Math.max(1, floor);
    }
    case 'boolean':
      return false;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return plausibleString(name, schema);
  }
}

function plausibleString(name: string, schema: JsonSchema): string {
  const example = /\be\.g\.,?\s+([^\s,;)]+)/i.exec(schema.description ?? '')?.[1]?.replace(/[.'"`]+$/, '');
  if (example) return example;
  if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
  if (schema.format === 'email') return 'verify@example.com';
  if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
  const byName = STRING_BY_NAME.find(([pattern]) => pattern.test(name))?.[1] ?? 'verify';
  return byName.length >= (schema.minLength ?? 0) ? byName : byName.padEnd(schema.minLength ?? 0, 'x');
}

/** Names of the required parameters of a tool. */
export function requiredParams(tool: ToolInfo): string[] {
  return tool.inputSchema?.required ?? [];
}
