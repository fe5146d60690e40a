/**
 * How a piece of state is named once it becomes a handle, as data: the thing a handle refers to
 * (`connection`), the id prefix (`conn_…`), the tool parameter (`connection_id`), and the kind constant
 * in code (`connections`). The naming code in transforms/handles/naming.ts reads only these tables.
 */

/** State names that say what the value is better than the name itself: `db` holds a connection. */
export const THING_ALIASES: Readonly<Record<string, string>> = {
  db: 'connection',
  database: 'connection',
  conn: 'connection',
  connection: 'connection',
  client: 'connection',
  pool: 'connection',
  sql: 'connection',
  knex: 'connection',
  prisma: 'connection',
  mongo: 'connection',
  redis: 'connection',
  socket: 'connection',
  ws: 'connection',
  ssh: 'shell',
  shell: 'shell',
  pty: 'terminal',
  terminal: 'terminal',
  page: 'page',
  tab: 'tab',
  browser: 'browser',
  context: 'browser_context',
  notes: 'notebook',
  cells: 'notebook',
  messages: 'conversation',
  history: 'history',
  todos: 'todo_list',
  tasks: 'task_list',
  items: 'list',
  events: 'log',
  entries: 'log',
  prefs: 'preferences',
  preferences: 'preferences',
  settings: 'settings',
  data: 'workspace',
  state: 'workspace',
  store: 'workspace',
  storage: 'workspace',
};

/** Short id prefixes for long thing names: `conn_4Jx…` reads better than `connection_4Jx…`. */
export const KIND_PREFIXES: Readonly<Record<string, string>> = {
  connection: 'conn',
  conversation: 'conv',
  browser_context: 'bctx',
  preferences: 'prefs',
  terminal: 'term',
};

/** Words around a session-keyed container's name that only say "per session": `cartsBySession` → `carts`. */
export const SESSION_AFFIXES: readonly RegExp[] = [/(?:By|Per|For)(?:Session|Sid|Connection|Client)s?$/, /^(?:session|sid|perSession)(?=[A-Z_])/, /_?(?:by|per|for)_(?:session|sid|connection|client)s?$/i, /(?:Session|Sessions)$/];

/** Class name endings of per-connection objects (P6): `NotebookSession` holds a notebook. */
export const CLASS_SUFFIXES = /(?:Session|Server|Connection|Context|State|Handler|Instance|Mcp|McpServer)$/;

/** Prefixes of "current selection" state (P7) are kept: `activeProject` → `active_project_id`. */
export const SELECTION_PREFIX = /^(?:current|active|selected|chosen|focused)(?=[A-Z_])/;

/** Irregular plurals (singular → plural); regular words take `s`/`es`/`ies`. */
export const IRREGULAR_PLURALS: Readonly<Record<string, string>> = {
  history: 'histories',
  quiz: 'quizzes',
  preferences: 'preferenceSets',
  settings: 'settingSets',
  data: 'dataSets',
  person: 'people',
  child: 'children',
  index: 'indexes',
};

/** Irregular singulars (plural → singular) for container names; regular words drop `s`/`es`/`ies`. */
export const IRREGULAR_SINGULARS: Readonly<Record<string, string>> = {
  people: 'person',
  children: 'child',
  indices: 'index',
  indexes: 'index',
  analyses: 'analysis',
  statuses: 'status',
  aliases: 'alias',
  addresses: 'address',
  processes: 'process',
  classes: 'class',
};

/** Words that are not plurals although they end in `s`. */
export const NOT_PLURAL: readonly string[] = ['status', 'alias', 'address', 'process', 'class', 'analysis', 'news', 'series', 'preferences', 'settings', 'canvas', 'bus'];

/** The tool parameter carrying a handle: `<thing>_id`. */
export const ID_PARAM_SUFFIX = '_id';

/** Default names of generated tools; `{thing}` is the thing name. Overridable by transform options. */
export const DEFAULT_CREATOR_NAME = 'create_{thing}';
export const DEFAULT_DESTROY_NAME = 'destroy_{thing}';

/** Lifetime of a handle of inactivity, in seconds, unless the `ttl` option says otherwise. */
export const DEFAULT_TTL_SECONDS = 30 * 60;
