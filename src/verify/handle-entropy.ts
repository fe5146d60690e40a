import { splitHandle } from './handle-tokens.js';

/** What is wrong with a set of handles minted by one creator, in words; empty when they look random. */
export function handleWeaknesses(ids: readonly string[], principalTexts: readonly string[] = [], now = Date.now()): string[] {
  const tokens = ids.map((id) => splitHandle(id).token);
  const problems: string[] = [];
  if (new Set(ids).size < ids.length) problems.push('the same id was returned twice');
  const bits = Math.min(...tokens.map(estimatedBits)) - fixedPositions(tokens) * bitsPerChar(tokens[0] ?? '');
  if (bits < 128) problems.push(`about ${Math.floor(bits)} bits of randomness (at least 128 expected); e.g. "${ids[0]}"`);
  const counter = counterIn(tokens);
  if (counter) problems.push(`ids count up (${counter})`);
  const time = timestampIn(tokens, now);
  if (time) problems.push(`ids carry the time (${time})`);
  for (const text of principalTexts) {
    const lower = text.toLowerCase();
    if (lower.length >= 4 && tokens.some((token) => token.toLowerCase().includes(lower))) problems.push(`ids contain the caller's identity ("${text}")`);
  }
  return problems;
}

/**
 * Randomness of one token, from its length and alphabet, less the characters that stay fixed across every
 * sample (a counter's zero padding, a UUID's version digit) — estimated per token here, fixed positions by
 * {@link counterIn}. Digits only: log2(10) per character; hex: 4; base32: 5; base62/base64url: ~6.
 */
export function estimatedBits(token: string): number {
  return token.replace(/[-_]/g, '').length * bitsPerChar(token);
}

function bitsPerChar(token: string): number {
  const chars = token.replace(/[-_]/g, '');
  return /^\d+$/.test(chars) ? Math.log2(10) : /^[0-9a-f]+$/i.test(chars) ? 4 : /^[A-Z2-7]+$/.test(chars) ? 5 : /^[A-Za-z0-9]+$/.test(chars) ? Math.log2(62) : 6;
}

/**
 * Characters (separators aside) that are the same in every sample of equal length: structure, not randomness.
 * With three random samples a position matches by chance with probability 1/4096 (base64url) or 1/256 (hex).
 */
function fixedPositions(tokens: readonly string[]): number {
  if (tokens.length < 3 || new Set(tokens.map((t) => t.length)).size > 1) return 0;
  let fixed = 0;
  for (let i = 0; i < tokens[0]!.length; i++) {
    const char = tokens[0]![i]!;
    if (!/[-_]/.test(char) && tokens.every((token) => token[i] === char)) fixed++;
  }
  return fixed;
}

/** A run of digits at the same place in every token that goes up by small steps from one mint to the next. */
function counterIn(tokens: readonly string[]): string | undefined {
  if (tokens.length < 2) return undefined;
  // Only tokens of one shape (the same text around the digits) can be a counter; random ids differ around them.
  if (new Set(tokens.map((token) => token.replace(/\d+/g, '#'))).size > 1) return undefined;
  const runs = tokens.map((token) => [...token.matchAll(/\d+/g)].map((m) => Number(m[0])));
  const width = Math.min(...runs.map((r) => r.length));
  for (let i = 0; i < width; i++) {
    const values = runs.map((r) => r[i]!);
    const steps = values.slice(1).map((v, k) => v - values[k]!);
    if (steps.every((step) => step > 0 && step <= 16)) return values.join(', ');
  }
  return undefined;
}

/** A run of 10 or 13 digits (seconds or milliseconds since 1970) within a day of now. */
function timestampIn(tokens: readonly string[], now: number): string | undefined {
  const day = 86_400_000;
  for (const token of tokens) {
    for (const match of token.matchAll(/\d{10,13}/g)) {
      const digits = match[0];
      const ms = digits.length >= 13 ? Number(digits.slice(0, 13)) : Number(digits.slice(0, 10)) * 1000;
      if (Math.abs(ms - now) < day) return digits;
    }
  }
  return undefined;
}
