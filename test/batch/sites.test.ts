import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the batch harness, without declarations
import { migratedSites } from '../../scripts/batch/sites.mjs';

/** The harness's accounting of migrated sites: gone from the audit, and no marker left for them. */
describe('migratedSites', () => {
  const key = (rule: string, file: string, what: string) => `${rule}|${file}|${what}`;

  it('a site without a state name is migrated when the markers of its rule in its file belong to the sites still there', () => {
    const before = new Map([
      [key('SL005', 'server.ts', 'line:10'), 1],
      [key('SL005', 'server.ts', 'line:20'), 1],
      [key('SL005', 'server.ts', 'line:30'), 1],
    ]);
    const after = new Map([
      [key('SL005', 'server.ts', 'line:20'), 1],
      [key('SL005', 'server.ts', 'line:30'), 1],
    ]);
    const markers = [
      { rule: 'SL005', file: 'server.ts', text: 'resource subscriptions tracked per session' },
      { rule: 'SL005', file: 'server.ts', text: 'logging/setLevel stored per connection' },
    ];
    expect(migratedSites(before, after, markers)).toBe(1);
  });

  it('a site without a state name that left a marker of its own was declined', () => {
    const before = new Map([
      [key('SL005', 'server.ts', 'line:10'), 1],
      [key('SL005', 'server.ts', 'line:20'), 1],
    ]);
    const after = new Map([[key('SL005', 'server.ts', 'line:20'), 1]]);
    const markers = [
      { rule: 'SL005', file: 'server.ts', text: 'client info copied once per connection' },
      { rule: 'SL005', file: 'server.ts', text: 'resource subscriptions tracked per session' },
    ];
    expect(migratedSites(before, after, markers)).toBe(0);
  });

  it('a named site is declined when a marker names it, whatever else is left', () => {
    const before = new Map([[key('SL003', 'carts.ts', 'state:carts'), 1]]);
    const markers = [{ rule: 'SL003', file: 'carts.ts', text: 'carts is keyed by the session id' }];
    expect(migratedSites(before, new Map(), markers)).toBe(0);
    expect(migratedSites(before, new Map(), [])).toBe(1);
  });
});
