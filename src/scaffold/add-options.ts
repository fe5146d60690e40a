import { defaultItem } from './family.js';
import { kindError } from './names.js';
import type { Question } from './questions.js';

/**
 * The `add handle` questions (the kind itself is the command's required argument). The store
 * question applies only to projects that have no handle store yet.
 */
export function addHandleQuestions(kind: string, hasHandleStore = false): Question[] {
  return [
    {
      key: 'item',
      type: 'input',
      flag: '--item <noun>',
      message: `Name of the entries a ${kind} holds`,
      help: 'snake_case noun for the entries (add_<item>, list_<items>; default: <kind>_item)',
      default: () => defaultItem(kind),
      validate: (value) => kindError(value, 'item name'),
    },
    {
      key: 'store',
      type: 'select',
      flag: '--store <kind>',
      message: 'Handle store (for a project that has none yet)',
      help: 'handle store to create when the project has none',
      choices: [
        { value: 'memory', label: 'memory (one process)' },
        { value: 'redis', label: 'Redis (shared by every replica)' },
      ],
      default: () => 'memory',
      when: () => !hasHandleStore,
      inapplicable: 'applies only to projects without a handle store (set MCP_HANDLE_STORE to switch the backend of an existing one)',
    },
  ];
}
