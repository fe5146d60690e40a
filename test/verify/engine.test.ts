import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fillArguments } from '../../src/verify/arguments.js';
import { toVerifyJunit } from '../../src/verify/format/junit.js';
import { toVerifyText } from '../../src/verify/format/text.js';
import { handleWeaknesses } from '../../src/verify/handle-entropy.js';
import { findHandles, unknownLike } from '../../src/verify/handle-tokens.js';
import { normaliseResult } from '../../src/verify/normalise.js';
import { kindOf } from '../../src/verify/tool-kinds.js';
import type { VerifyReport } from '../../src/verify/types.js';

const mint = (make: () => string, n = 3) => Array.from({ length: n }, make);
const messages = (ids: string[], principals: string[] = []) => handleWeaknesses(ids, principals).map((w) => `${w.severe ? 'severe' : 'mild'}: ${w.message}`);

describe('handle randomness', () => {
  it('accepts 18 random bytes in base64url, whatever characters they happen to contain', () => {
    for (let round = 0; round < 200; round++) expect(messages(mint(() => `cart_${randomBytes(18).toString('base64url')}`))).toEqual([]);
  });

  it('accepts 16 random bytes in hex', () => {
    for (let round = 0; round < 50; round++) expect(messages(mint(() => `conn_${randomBytes(16).toString('hex')}`))).toEqual([]);
  });

  it('finds counters, however they are padded', () => {
    expect(messages(['cart_1', 'cart_2', 'cart_3'])).toEqual(['severe: about 3 bits of randomness (at least 128 expected); e.g. "cart_1"', 'severe: ids count up (1, 2, 3)']);
    const padded = ['cart_000000000000000000000000000000000000041', 'cart_000000000000000000000000000000000000042', 'cart_000000000000000000000000000000000000043'];
    expect(messages(padded)).toContainEqual('severe: ids count up (41, 42, 43)');
    expect(messages(padded).some((m) => m.includes('bits of randomness'))).toBe(true);
  });

  it('finds a timestamp and the caller in an id', () => {
    const now = Date.now();
    const ids = mint(() => `job_${now}${randomBytes(24).toString('hex')}`);
    expect(messages(ids)).toContainEqual(`severe: ids carry the time (${now})`);
    expect(messages(mint(() => `conn_alice_${randomBytes(24).toString('base64url')}`), ['alice'])).toContainEqual('severe: ids contain the caller\'s identity ("alice")');
  });

  it('subtracts characters every sample shares (a fixed field) from the randomness', () => {
    // 28 hex characters look like 112 bits; 8 of them are the same every time.
    const structured = mint(() => `acct_0000-ffff-${randomBytes(10).toString('hex')}`);
    expect(messages(structured)).toEqual([expect.stringMatching(/^severe: about (80|7\d) bits of randomness/)]);
  });

  it('finds an id returned twice', () => {
    expect(messages(['cart_x', 'cart_x', 'cart_y'].map((id) => id + 'Q'.repeat(30)))).toContainEqual('severe: the same id was returned twice');
  });

  it('finds time-based UUIDs', () => {
    const v1 = ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', '6ba7b811-9dad-11d1-80b4-00c04fd430c8', '6ba7b812-9dad-11d1-80b4-00c04fd430c8'].map((u) => `job_${u}`);
    expect(messages(v1)).toContainEqual('severe: ids are version 1 UUIDs, built from the time (and a node id), not random');
  });

  it('reports a UUIDv4 as short of 128 bits, but not as guessable', () => {
    const found = handleWeaknesses(mint(() => `sess_${randomUUID()}`));
    expect(found.length).toBe(1);
    expect(found[0]).toMatchObject({ severe: false });
    expect(found[0]!.message).toMatch(/^about 122 bits of randomness/);
  });
});

describe('handles in results', () => {
  const tools = [{ name: 'query', inputSchema: { type: 'object', properties: { connection_id: { type: 'string', description: 'from connect_database()' } }, required: ['connection_id'] } }];

  it('reads *_id fields of structuredContent, then JSON in text, then kind_ tokens', () => {
    expect(findHandles({ structuredContent: { cart_id: 'cart_abc', total: 3 } }, tools, 'create_cart')).toEqual([{ param: 'cart_id', value: 'cart_abc' }]);
    expect(findHandles({ content: [{ type: 'text', text: '{"connection_id":"conn_1"}' }] }, tools, 'connect_database')).toEqual([{ param: 'connection_id', value: 'conn_1' }]);
    expect(findHandles({ content: [{ type: 'text', text: 'Connected: conn_Zm9vYmFyYmF6cXV4cXV1eA. Use list_tables next.' }] }, tools, 'connect_database')).toEqual([{ param: 'connection_id', value: 'conn_Zm9vYmFyYmF6cXV4cXV1eA' }]);
    expect(findHandles({ content: [{ type: 'text', text: 'call list_tables or read_table' }] }, tools, 'connect_database')).toEqual([]);
  });

  it('takes a token whole when base64url put `-` or `_` at its end', () => {
    for (const value of ['conn_Zm9vYmFyYmF6cXV4cXV1e-', 'conn_Zm9vYmFyYmF6cXV4cXV1e_', 'conn_Zm9v-mFyYmF6cXV4cXV--']) {
      expect(findHandles({ content: [{ type: 'text', text: `Connected: ${value}. Its tables are at db://${value}/tables` }] }, tools, 'connect_database')[0]).toEqual({ param: 'connection_id', value });
    }
  });

  it('makes an unknown id of the same shape', () => {
    const id = `cart_${randomBytes(18).toString('base64url')}`;
    const other = unknownLike(id);
    expect(other).not.toBe(id);
    expect(other.startsWith('cart_')).toBe(true);
    expect(other.length).toBe(id.length);
  });
});

describe('arguments from input schemas', () => {
  it('fills required parameters only, from known values, enums, defaults, examples in descriptions and names', () => {
    const tool = {
      name: 'connect_database',
      inputSchema: {
        type: 'object',
        properties: {
          url: { type: 'string', description: 'Database URL, e.g. memory://demo' },
          mode: { type: 'string', enum: ['read', 'write'] },
          limit: { type: 'integer', minimum: 5 },
          verbose: { type: 'boolean' },
          cart_id: { type: 'string' },
          email: { type: 'string' },
          optional: { type: 'string' },
        },
        required: ['url', 'mode', 'limit', 'verbose', 'cart_id', 'email'],
      },
    };
    expect(fillArguments(tool, new Map([['cart_id', 'cart_X']]))).toEqual({ url: 'memory://demo', mode: 'read', limit: 5, verbose: false, cart_id: 'cart_X', email: 'verify@example.com' });
  });

  it('tells creators, readers and destructive tools apart', () => {
    expect(kindOf({ name: 'create_cart' })).toBe('creator');
    expect(kindOf({ name: 'openPage' })).toBe('creator');
    expect(kindOf({ name: 'view_cart' })).toBe('reader');
    expect(kindOf({ name: 'checkout', annotations: { readOnlyHint: true } })).toBe('reader');
    expect(kindOf({ name: 'create_backup', annotations: { destructiveHint: true } })).toBe('destructive');
    expect(kindOf({ name: 'add_to_cart' })).toBe('other');
    expect(kindOf({ name: 'destroy_cart' })).toBe('destructive');
    expect(kindOf({ name: 'set_active_project', outputSchema: { type: 'object', properties: { active_project_id: { type: 'string' } } } })).toBe('creator');
    expect(kindOf({ name: 'use_database', description: 'Switch database. Returns a current_database_id for list_tables.' })).toBe('creator');
    expect(kindOf({ name: 'add_item', description: 'Add to the cart. Returns the cart_id it was given.', inputSchema: { type: 'object', properties: { cart_id: { type: 'string' } } } })).toBe('other');
  });
});

describe('normalising results', () => {
  it('replaces handles, UUIDs and timestamps, and keeps the rest', () => {
    const a = normaliseResult({ content: [{ type: 'text', text: `Order ${randomUUID()} for cart_${randomBytes(18).toString('base64url')} at 2026-12-04T10:00:00Z (total $3)` }] });
    const b = normaliseResult({ content: [{ type: 'text', text: `Order ${randomUUID()} for cart_${randomBytes(18).toString('base64url')} at 2026-12-05T11:30:12.5Z (total $3)` }] });
    expect(a).toBe(b);
    const c = normaliseResult({ content: [{ type: 'text', text: `Order ${randomUUID()} for cart_${randomBytes(18).toString('base64url')} at 2026-12-05T11:30:12.5Z (total $4)` }] });
    expect(c).not.toBe(a);
  });

  it('replaces a timestamp written into a file name, where colons and the dot became dashes', () => {
    const saved = (at: string) => normaliseResult({ content: [{ type: 'text', text: `Screenshot saved to: Downloads/home-${at}.png` }] });
    expect(saved('2026-12-06T13-20-01-391Z')).toBe(saved('2026-12-07T09-05-47-002Z'));
    expect(saved('2026-12-06T13-20-01-391Z')).not.toBe(normaliseResult({ content: [{ type: 'text', text: 'Screenshot saved to: Downloads/away-2026-12-06T13-20-01-391Z.png' }] }));
  });

  it('replaces the random end of a folder mkdtemp made, and only that', () => {
    const saved = (folder: string) => normaliseResult({ content: [{ type: 'text', text: `{"screenshotPath": "/tmp/${folder}/article.png"}` }] });
    expect(saved('mcp-screenshots-4Kr0J0')).toBe(saved('mcp-screenshots-zWLYgf'));
    expect(saved('mcp-screenshots-4Kr0J0')).not.toBe(saved('mcp-downloads-4Kr0J0'));
    expect(saved('reports')).not.toBe(saved('exports'));
  });

  it('replaces how long something took, under a name that says so or in milliseconds, and nothing else', () => {
    const ran = (ms: string, rows = 1, timeout = 30) => normaliseResult({ content: [{ type: 'text', text: `{ "rows": ${rows}, "executionTimeMs": ${ms}, "timeout": ${timeout}, "note": "ran in ${ms} ms" }` }] });
    expect(ran('2.26')).toBe(ran('0.83'));
    expect(ran('2.26')).not.toBe(ran('2.26', 2));
    expect(ran('2.26')).not.toBe(ran('2.26', 1, 60));
    const took = (key: string, value: number) => normaliseResult({ content: [], structuredContent: { [key]: value, table: 'ledger' } });
    for (const key of ['duration_ms', 'elapsed', 'latencyMs', 'queryTimeSeconds']) expect(took(key, 12)).toBe(took(key, 340));
    expect(took('count', 12)).not.toBe(took('count', 340));
  });

  it('replaces a whole handle whatever base64url character it ends with', () => {
    for (const id of ['cart_AAAAAAAAAAAAAAAAAAAAAAA-', 'cart_AAAAAAAAAAAAAAAAAAAAAAA_', 'cart_-AAAAAAAAAAAAAAAAAAAAAA']) {
      expect(normaliseResult({ content: [{ type: 'text', text: `cart ${id} ready` }] })).toBe(normaliseResult({ content: [{ type: 'text', text: 'cart cart_Bbbbbbbbbbbbbbbbbbbbbbbb ready' }] }));
    }
  });
});

describe('report formats', () => {
  const report: VerifyReport = {
    target: 'http://127.0.0.1:1/mcp',
    protocolVersion: '2026-07-28',
    era: 'modern',
    durationMs: 1234,
    calls: [{ tool: 'create_cart', isError: false }],
    outcomes: [
      { check: 'session-id', subject: 'endpoint', status: 'pass', level: 'error' },
      { check: 'handle-entropy', subject: 'create_cart (cart_id)', status: 'fail', level: 'error', message: 'ids count up (1, 2, 3) & <more>' },
      { check: 'get-delete-405', subject: 'GET /mcp', status: 'fail', level: 'warning', message: 'GET answered 400' },
      { check: 'handle-principal', subject: 'create_cart (cart_id)', status: 'skip', level: 'error', message: 'needs a second principal' },
    ],
  };

  it('JUnit: one suite per check, errors as failures, warnings in system-out unless strict, XML escaped', () => {
    const xml = toVerifyJunit(report);
    expect(xml).toContain('<testsuites name="mcp-sessionless verify http://127.0.0.1:1/mcp" tests="4" failures="1" time="1.234">');
    expect(xml).toContain('<failure message="ids count up (1, 2, 3) &amp; &lt;more&gt;" type="SL007">');
    expect(xml).toContain('<system-out>warning: GET answered 400</system-out>');
    expect(xml).toContain('<skipped message="needs a second principal"/>');
    expect(toVerifyJunit(report, { warningsFail: true })).toContain('failures="2"');
  });

  it('text: failures with their rule, then one line per check', () => {
    const text = toVerifyText(report);
    expect(text).toContain('error  SL007 handle-entropy  create_cart (cart_id): ids count up (1, 2, 3) & <more>');
    expect(text).toContain('warning  SL002 get-delete-405  GET /mcp: GET answered 400');
    expect(text).toContain('1 error(s), 1 warning(s) · 1 tool call(s) · 1234 ms');
  });
});
