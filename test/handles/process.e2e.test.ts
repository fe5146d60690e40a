import { processStateToHandlesTransform as transform } from '../../transforms/process-state-to-handles.js';
import { describeHttpScenario, describeStdioScenario } from './e2e/scenario.js';
import type { E2ECase } from './e2e/support.js';

/** Migrated process-state fixtures, run with the real clients (see e2e/scenario.ts for what is checked). */
const CASES: E2ECase[] = [
  {
    // Pinned to @modelcontextprotocol/sdk 1.10.2 and run on it: tool() registrations, the id as text only.
    transform,
    fixture: 'ledger-sdk-1.10.2',
    sdk: 'v1',
    stdio: { entry: 'src/index.ts' },
    creator: { tool: 'open_ledger', args: { account: 'ops' }, expect: 'Opened the ledger of ops' },
    idParam: 'ledger_id',
    kindName: 'ledger',
    steps: [
      { tool: 'record', args: { amountCents: 1250, memo: 'coffee' }, expect: 'Entry 1 recorded' },
      { tool: 'record', args: { amountCents: -250, memo: 'refund' }, expect: 'Entry 2 recorded' },
    ],
    probe: { tool: 'balance', expect: 'ops: 10' },
    shared: false,
    textOnlyHandle: true,
  },
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
  {
    transform,
    fixture: 'db-factory-v1',
    sdk: 'v1',
    http: { module: 'src/server.ts', factory: 'createServer' },
    stdio: { entry: 'src/main.ts' },
    creator: { tool: 'connect', args: { url: 'https://db.example/app' }, expect: 'Connected to https://db.example/app' },
    idParam: 'connection_id',
    kindName: 'conn',
    steps: [{ tool: 'query', args: { sql: 'select 1' }, expect: 'select 1' }],
    probe: { tool: 'query', args: { sql: 'select 2' }, expect: 'select 2' },
    destroy: { tool: 'close', expect: 'Closed' },
    shared: false,
  },
  {
    transform,
    fixture: 'browser-v1-js',
    sdk: 'v1',
    stdio: { entry: 'src/index.js' },
    creator: { tool: 'open_page', args: { url: 'https://example.com' }, expect: 'Opened https://example.com' },
    idParam: 'page_id',
    kindName: 'page',
    steps: [
      { tool: 'page_title', expect: 'Title of https://example.com' },
      { tool: 'click', args: { selector: '#go' }, expect: 'clicked #go' },
    ],
    probe: { tool: 'page_title', expect: 'Title of https://example.com' },
    destroy: { tool: 'close_page', expect: 'Closed' },
    shared: false,
  },
  {
    transform,
    fixture: 'account-v2-js',
    sdk: 'v2',
    http: { module: 'src/server.js', factory: 'createServer' },
    stdio: { entry: 'src/main.js' },
    creator: { tool: 'login', args: { user: 'ada' }, expect: 'Signed in as ada' },
    idParam: 'account_id',
    kindName: 'account',
    steps: [
      { tool: 'whoami', expect: 'ada (free)' },
      { tool: 'upgrade', expect: 'ada is on pro' },
    ],
    probe: { tool: 'whoami', expect: 'ada (pro)' },
    destroy: { tool: 'logout', expect: 'Signed out' },
    shared: true,
  },
  {
    transform,
    fixture: 'postgres-v2-js',
    sdk: 'v2',
    stdio: { entry: 'src/index.js' },
    creator: { tool: 'connect', args: { connectionString: 'postgres://db.example/shop' }, expect: 'connected to db.example' },
    idParam: 'connection_id',
    kindName: 'conn',
    steps: [
      { tool: 'query', args: { sql: 'select 1' }, expect: '"database":"shop"' },
      { tool: 'status', expect: 'connected to db.example' },
    ],
    probe: { tool: 'status', expect: 'connected to db.example' },
    destroy: { tool: 'disconnect', expect: 'disconnected' },
    shared: false,
  },
];

for (const testCase of CASES) {
  if (testCase.http) describeHttpScenario(testCase);
  if (testCase.stdio) describeStdioScenario(testCase);
}
