/** The engine's per-transform output, and the review plan built on it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TRANSFORMS } from '../../transforms/index.js';
import { migrate } from '../../src/migrate.js';
import { transformFiles } from '../../src/engine/run-transforms.js';
import { planReview } from '../../src/review/plan.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import type { TempProject } from '../helpers/temp-project.js';
import { reviewProject } from './review-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const cart = Object.fromEntries(
  ['carts.ts', 'catalog.ts', 'server.ts'].map((name) => [`src/${name}`, readFileSync(join(REPO_ROOT, 'examples/cart-server/src', name), 'utf8')]),
);

describe('recordSteps', () => {
  it("returns each transform's output in run order, ending on the run's result", () => {
    const result = transformFiles(cart, { transforms: TRANSFORMS, recordSteps: true });
    expect(result.steps?.map((s) => [s.transform, Object.keys(s.files).sort()])).toEqual([
      ['session-state-to-handles', ['src/carts.ts', 'src/handle-store.ts', 'src/server.ts']],
      ['stateless-transport', ['src/server.ts']],
    ]);
    expect(result.steps?.[1]?.files['src/server.ts']).toBe(result.changed['src/server.ts']);
    expect(result.steps?.[0]?.files['src/server.ts']).not.toBe(result.changed['src/server.ts']);
    expect(transformFiles(cart, { transforms: TRANSFORMS }).steps).toBeUndefined();
  });
});

describe('planReview', () => {
  it('reviews an independent file hunk by hunk and files that must change together as one unit', async () => {
    project = reviewProject();
    const result = await migrate({ path: project.dir, recordSteps: true });
    const units = planReview({ root: result.root, changes: result.changes, diagnostics: result.diagnostics, steps: result.steps }, TRANSFORMS);
    expect(units.map((u) => u.files.map((f) => f.change.path))).toEqual([['src/admin.ts'], ['src/carts.ts', 'src/handle-store.ts', 'src/server.ts']]);
    const [admin, carts] = units;
    expect(admin?.together).toEqual([]);
    expect(admin?.files[0]?.hunks.map((h) => [h.transforms, h.rules])).toEqual([
      [['stateless-transport'], ['SL001', 'SL002']],
      [['stateless-transport'], ['SL001', 'SL002']],
    ]);
    expect(carts?.together).toEqual(['src/carts.ts imports src/handle-store.ts, which this run creates', 'src/server.ts imports src/handle-store.ts, which this run creates']);
    const [cartsFile, store, server] = carts?.files ?? [];
    expect(cartsFile?.hunks.flatMap((h) => h.reasons)).toContain('carts keyed by session → cart_id handles from create_cart');
    expect(store?.hunks.map((h) => h.transforms)).toEqual([['session-state-to-handles']]);
    expect(new Set(server?.hunks.flatMap((h) => h.transforms))).toEqual(new Set(['session-state-to-handles', 'stateless-transport']));
    for (const hunk of units.flatMap((u) => u.files.flatMap((f) => f.hunks))) {
      expect(hunk.rules.length).toBeGreaterThan(0);
      expect(hunk.reasons.length).toBeGreaterThan(0);
    }
  });
});
