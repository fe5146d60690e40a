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
  {
    transform,
    fixture: 'cart-v2',
    sdk: 'v2',
    http: { module: 'src/server.ts', factory: 'buildServer' },
    creator: { tool: 'create_cart', expect: 'cart_id' },
    idParam: 'cart_id',
    kindName: 'cart',
    steps: [
      { tool: 'add_item', args: { sku: 'mug-01', quantity: 2 }, expect: '1 line(s) in the cart' },
      { tool: 'cart_total', expect: '2 item(s), paid in EUR' },
    ],
    probe: { tool: 'cart_total', expect: '2 item(s)' },
    shared: true,
  },
  {
    transform,
    fixture: 'todos-v1-js',
    sdk: 'v1',
    http: { module: 'src/server.js', factory: 'createServer' },
    creator: { tool: 'start_list', args: { title: 'Groceries' }, expect: 'Started "Groceries"' },
    idParam: 'todo_list_id',
    kindName: 'todo_list',
    steps: [
      { tool: 'add_todo', args: { text: 'milk' }, expect: '1 item(s) on "Groceries"' },
      { tool: 'show_list', expect: '- milk' },
    ],
    probe: { tool: 'show_list', expect: '- milk' },
    shared: true,
  },
  {
    transform,
    fixture: 'notes-v2',
    sdk: 'v2',
    http: { module: 'src/server.ts', factory: 'buildServer' },
    creator: { tool: 'create_notebook', expect: 'notebook_id' },
    idParam: 'notebook_id',
    kindName: 'notebook',
    steps: [
      { tool: 'add_note', args: { text: 'hello' }, expect: 'Saved note 1' },
      { tool: 'list_notes', expect: '1. hello' },
    ],
    probe: { tool: 'list_notes', expect: '1. hello' },
    shared: true,
  },
  {
    transform,
    fixture: 'history-v1-js',
    sdk: 'v1',
    http: { module: 'src/server.js', factory: 'createServer' },
    creator: { tool: 'create_history', expect: 'history_id' },
    idParam: 'history_id',
    kindName: 'history',
    steps: [
      { tool: 'add', args: { a: 2, b: 3 }, expect: '5' },
      { tool: 'show_history', expect: '2 + 3 = 5' },
    ],
    probe: { tool: 'show_history', expect: '2 + 3 = 5' },
    shared: true,
  },
  {
    transform,
    fixture: 'notebook-v2',
    sdk: 'v2',
    http: { module: 'src/server.ts', factory: 'createServer' },
    creator: { tool: 'create_notebook', expect: 'notebook_id' },
    idParam: 'notebook_id',
    kindName: 'notebook',
    steps: [
      { tool: 'add_cell', args: { source: 'print(1)' }, expect: 'Cell 1 added' },
      { tool: 'add_cell', args: { source: 'print(2)' }, expect: 'Cell 2 added' },
      { tool: 'delete_cell', args: { id: 1 }, expect: 'Cell 1 deleted' },
    ],
    probe: { tool: 'list_cells', expect: '[2] print(2)' },
    destroy: { tool: 'destroy_notebook', expect: 'Destroyed notebook' },
    shared: true,
  },
  {
    transform,
    fixture: 'quiz-v1-js',
    sdk: 'v1',
    http: { module: 'src/server.js', factory: 'createServer' },
    creator: { tool: 'create_quiz', expect: 'quiz_id' },
    idParam: 'quiz_id',
    kindName: 'quiz',
    steps: [
      { tool: 'next_question', expect: 'What is 2 + 2?' },
      { tool: 'answer', args: { answer: '4' }, expect: 'Score: 1/1' },
    ],
    probe: { tool: 'next_question', expect: 'capital of France' },
    shared: true,
  },
  {
    transform,
    fixture: 'project-v1',
    sdk: 'v1',
    http: { module: 'src/server.ts', factory: 'buildServer' },
    creator: { tool: 'set_active_project', args: { name: 'website' }, expect: 'Active project: website' },
    idParam: 'active_project_id',
    kindName: 'active_project',
    steps: [
      { tool: 'list_tasks', expect: 'Fix the footer' },
      { tool: 'add_task', args: { title: 'Write docs' }, expect: 'Added to website' },
    ],
    // The task list itself is process-global on purpose (PROJECTS); the selection is what travels.
    probe: { tool: 'list_tasks', expect: 'Ship the blog' },
    shared: true,
  },
  {
    transform,
    fixture: 'database-v2-js',
    sdk: 'v2',
    http: { module: 'src/server.js', factory: 'createServer' },
    creator: { tool: 'use_database', args: { name: 'archive' }, expect: 'Using archive' },
    idParam: 'current_database_id',
    kindName: 'current_database',
    steps: [
      { tool: 'list_tables', expect: 'logs' },
      { tool: 'read_table', args: { table: 'users' }, expect: 'alan' },
    ],
    probe: { tool: 'list_tables', expect: 'logs' },
    shared: true,
  },
];

for (const testCase of CASES) {
  if (testCase.http) describeHttpScenario(testCase);
}
