import { InvalidArgumentError } from 'commander';
import type { OptionValues } from '../engine/transform.js';

/** `--transforms a,b` → ['a', 'b']. */
export function parseList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

/** Repeated `--set <transform>.<option>=<value>` → `{ transform: { option: value } }`; true/false become booleans. */
export function parseSetting(value: string, previous: Record<string, Record<string, string | boolean>> = {}) {
  const match = /^([\w-]+)\.([\w-]+)=(.*)$/.exec(value);
  if (!match) throw new InvalidArgumentError(`expected <transform>.<option>=<value>, got "${value}"`);
  const [, transform = '', option = '', raw = ''] = match;
  const parsed: string | boolean = raw === 'true' ? true : raw === 'false' ? false : raw;
  return { ...previous, [transform]: { ...previous[transform], [option]: parsed } } satisfies Record<string, OptionValues>;
}
