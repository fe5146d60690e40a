import { splitHandle } from './handle-tokens.js';

/** One thing wrong with a creator's ids; `severe` when ids can be guessed, not merely a little short. */
export interface HandleWeakness {
  message: string;
  severe: boolean;
}

/**
 * What is wrong with a set of handles minted by one creator; empty when they look random. Under 128 bits
 * but at least 96 (a UUIDv4 has 122) is not severe: short of SL007, yet not guessable in practice.
 */
export function handleWeaknesses(ids: readonly string[], principalTexts: readonly string[] = [], now = Date.now()): HandleWeakness[] {
  const tokens = ids.map((id) => splitHandle(id).token);
  const problems: HandleWeakness[] = [];
  if (new Set(ids).size < ids.length) problems.push({ message: 'the same id was returned twice', severe: true });
  const uuid = uuidVersion(tokens);
  // A few positions match in all samples by chance (hex, 32 characters, 3 samples: one in 8 runs has one, one
  // in 130 two, one in 120,000 four); four or more is structure (a fixed field, zero padding).
  const fixed = fixedPositions(tokens);
  const bits = uuid === 4 ? 122 : Math.min(...tokens.map(estimatedBits)) - (fixed >= 4 ? fixed * bitsPerChar(tokens[0] ?? '') : 0);
  if (uuid !== undefined && uuid !== 4) problems.push({ message: `ids are version ${uuid} UUIDs, built from the time (and a node id), not random`, severe: true });
  if (bits < 128) problems.push({ message: `about ${Math.floor(bits)} bits of randomness (at least 128 expected); e.g. "${ids[0]}"`, severe: bits < 96 });
  const counter = counterIn(tokens);
  if (counter) problems.push({ message: `ids count up (${counter})`, severe: true });
  const time = timestampIn(tokens, now);
  if (time) problems.push({ message: `ids carry the time (${time})`, severe: true });
  for (const text of principalTexts) {
    const lower = text.toLowerCase();
    if (lower.length >= 4 && tokens.some((token) => token.toLowerCase().includes(lower))) problems.push({ message: `ids contain the caller's identity ("${text}")`, severe: true });
  }
  return problems;
}

/**
 * Randomness of one token, from its length and alphabet: digits log2(10) per character, hex 4 (a UUID's
 * dashes do not count), base32 5, base62 ~5.95, base64url 6. Characters that stay fixed across every
 * sample are subtracted separately ({@link fixedPositions}).
 */
export function estimatedBits(token: string): number {
  return significant(token).length * bitsPerChar(token);
}

/** The characters that carry information: a hex id's dashes are layout. */
function significant(token: string): string {
  return /^[0-9a-f]+(-[0-9a-f]+)+$/i.test(token) ? token.replace(/-/g, '') : token;
}

function bitsPerChar(token: string): number {
  const chars = significant(token);
  if (/^\d+$/.test(chars)) return Math.log2(10);
  if (/^[0-9a-f]+$/i.test(chars)) return 4;
  if (/^[A-Z2-7]+$/.test(chars)) return 5;
  if (/^[A-Za-z0-9]+$/.test(chars)) return Math.log2(62);
  return 6;
}

/**
 * Characters that are the same in every sample of equal length: structure, not randomness. With three
 * random samples a position matches by chance with probability 1/4096 (base64url) or 1/256 (hex).
 */
function fixedPositions(tokens: readonly string[]): number {
  const samples = tokens.map(significant);
  if (samples.length < 3 || new Set(samples.map((t) => t.length)).size > 1) return 0;
  let fixed = 0;
  for (let i = 0; i < samples[0]!.length; i++) if (samples.every((sample) => sample[i] === samples[0]![i])) fixed++;
  return fixed;
}

/** The UUID version when every token is a UUID. */
function uuidVersion(tokens: readonly string[]): number | undefined {
  const versions = tokens.map((token) => /^[0-9a-f]{8}-[0-9a-f]{4}-([1-8])[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/i.exec(token)?.[1]);
  return versions.every((v) => v !== undefined) && new Set(versions).size === 1 ? Number(versions[0]) : undefined;
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
