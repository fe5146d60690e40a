import { sessionStateToHandlesTransform as transform } from '../../transforms/session-state-to-handles.js';
import { describeHttpScenario } from './e2e/scenario.js';
import type { E2ECase } from './e2e/support.js';

/** Migrated session-state fixtures, run with the real clients (see e2e/scenario.ts for what is checked). */
const CASES: E2ECase[] = [
  {
    transform,
    fixture: 'cart-v1',
    sdk: 'v1',
    http: { module: 'src/server.ts', factory: 'buildServer' },
    creator: { tool: 'create_cart', expect: 'cart_id' },
    idParam: 'cart_id',
    kindName: 'cart',
    steps: [
      { tool: 'view_cart', expect: 'The cart is empty' },
      { tool: 'add_to_cart', args: { sku: 'mug-01', quantity: 2 }, expect: 'Added 2 × mug-01' },
      { tool: 'view_cart', expect: '2 × mug-01' },
    ],
    probe: { tool: 'view_cart', expect: '2 × mug-01' },
    destroy: { tool: 'destroy_cart', expect: 'Destroyed cart' },
    shared: true,
  },
];

for (const testCase of CASES) {
  if (testCase.http) describeHttpScenario(testCase);
}
