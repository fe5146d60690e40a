import { processStateToHandlesTransform as transform } from '../../transforms/process-state-to-handles.js';
import { describeHttpScenario, describeStdioScenario } from './e2e/scenario.js';
import type { E2ECase } from './e2e/support.js';

/** Migrated process-state fixtures, run with the real clients (see e2e/scenario.ts for what is checked). */
const CASES: E2ECase[] = [
  {
    transform,
    fixture: 'db-v2',
    sdk: 'v2',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'connect_database', args: { url: 'memory://demo' }, expect: 'Connected to memory://demo' },
    idParam: 'connection_id',
    kindName: 'conn',
    steps: [
      { tool: 'list_tables', expect: 'users' },
      { tool: 'read_table', args: { table: 'users' }, expect: 'Grace' },
    ],
    probe: { tool: 'list_tables', expect: 'orders' },
    destroy: { tool: 'disconnect', expect: 'Disconnected' },
    shared: false,
  },
];

for (const testCase of CASES) {
  if (testCase.http) describeHttpScenario(testCase);
  if (testCase.stdio) describeStdioScenario(testCase);
}
