/**
 * The server model: what an MCP server project is made of, as far as session dependence goes.
 * Every entry carries the ts-morph nodes it was read from, so transforms can rewrite exactly those nodes;
 * `file` is always the root-relative posix path of the node's source file.
 *
 * The model is built syntactically (no type checker) by `analyzeProject`; see analyze.ts.
 */
import type {
  ArrowFunction,
  CallExpression,
  ClassDeclaration,
  ClassExpression,
  Expression,
  FunctionDeclaration,
  FunctionExpression,
  MethodDeclaration,
  NewExpression,
  Node,
  ObjectLiteralExpression,
  ParameterDeclaration,
  PropertyAssignment,
  SourceFile,
  VariableDeclaration,
} from 'ts-morph';
import type { SdkLine } from '../rules/sdk.js';
import type { PrimitiveKind, RequestRole, TransportKind } from './vocabulary.js';

/** A function body the analysis can follow: declarations, expressions, methods. */
export type FunctionNode = FunctionDeclaration | FunctionExpression | ArrowFunction | MethodDeclaration;

/** A 1-based source position. */
export interface Location {
  file: string;
  line: number;
  column: number;
}

/** One parsed file of the project. */
export interface FileInfo {
  file: string;
  sourceFile: SourceFile;
  /** SDK line the file imports, when it imports one. */
  sdk: SdkLine | undefined;
}

/** `new McpServer(…)` / `new Server(…)` from either SDK line. */
export interface ServerInstance {
  node: NewExpression;
  file: string;
  className: string;
  /** `high` = McpServer, `low` = Server. */
  level: 'high' | 'low';
  sdk: SdkLine | undefined;
  /** Where the instance is kept: the variable, or the `this.x` field it is assigned to. */
  holder?: { kind: 'variable'; node: VariableDeclaration; name: string } | { kind: 'field'; name: string; node: Node };
  /** The factory function building it, when it is built inside one. */
  factory?: ServerFactory;
  /** The class whose instances own it (per-connection objects), when created inside a class. */
  ownerClass?: ClassDeclaration | ClassExpression;
}

/** How often a server factory runs, judged from its call sites. */
export type FactoryInvocation = 'once' | 'per-session' | 'per-request' | 'unknown';

/** A function that builds and returns a server: `function buildServer() { const server = new McpServer(…); …; return server }`. */
export interface ServerFactory {
  node: FunctionNode;
  file: string;
  /** The function's name (declaration name or the variable it is assigned to). */
  name: string | undefined;
  invocation: FactoryInvocation;
  /** Call sites found (direct calls and `createMcpHandler(factory)`-style references). */
  callSites: Node[];
}

/** A tool, resource or prompt registration, or a tool served by a low-level `tools/call` switch case. */
export interface Registration {
  kind: PrimitiveKind;
  /** Registration method (`registerTool`, `tool`, …), or `setRequestHandler` for low-level cases. */
  method: string;
  /** Literal name, when the name is a literal. */
  name: string | undefined;
  /** Readable label used in reports: the tool name, `resource <name>` or `prompt <name>`. */
  label: string;
  file: string;
  /** The registration call (for low-level cases: the `setRequestHandler` call). */
  call: CallExpression;
  /** The name argument (for low-level cases: the `case` label expression). */
  nameNode: Node | undefined;
  /** The config object (`registerTool`), or the schema/shape argument of legacy `tool(…)`. */
  config: Node | undefined;
  /** The handler function (resolved when passed by name); for low-level cases the enclosing request handler. */
  handler: FunctionNode | undefined;
  /** For low-level switch cases: the `case` clause or `if` branch holding this tool's code. */
  branch?: Node;
  /** The handler's arguments parameter, when it has one. */
  argsParam: ParameterDeclaration | undefined;
  /** The handler's request-context parameter (`extra` on v1, `ctx` on v2), when declared. */
  contextParam: ParameterDeclaration | undefined;
  /** Its name, when declared as a plain identifier. */
  contextName: string | undefined;
  sdk: SdkLine | undefined;
  /** The server expression the method is called on (`server`, `this.server`, `mcp`). */
  receiver: Expression | undefined;
  /** The factory whose body holds the registration. */
  factory?: ServerFactory;
  /** The class whose methods hold the registration. */
  ownerClass?: ClassDeclaration | ClassExpression;
  /** Registrations whose handlers run this registration (registering inside a tool call: P4/P8). */
  registeredInside: Registration[];
  /** The variable or field the returned `RegisteredTool`/`RegisteredPrompt`/`RegisteredResource` handle is kept in. */
  handle?: { name: string; node: Node };
  /** For resources: the `ResourceTemplate` `list` callback, when the template has one. */
  listCallback?: FunctionNode;
}

/** A low-level `setRequestHandler`/`setNotificationHandler` registration other than `tools/call` cases. */
export interface RequestHandler {
  call: CallExpression;
  file: string;
  /** The protocol method served (`resources/list`, `logging/setLevel`, …), or the schema text when unknown. */
  method: string;
  role: RequestRole | 'notification';
  handler: FunctionNode | undefined;
  contextParam: ParameterDeclaration | undefined;
}

/** Where state lives. */
export type StateKind =
  /** Module-level `let`/`var`, or a module-level mutable object/container. */
  | 'module'
  /** A variable declared inside a server factory and captured by its handlers. */
  | 'factory-closure'
  /** A field of a class whose instances own a server (`this.cells`). */
  | 'class-field';

/** How a container's key relates to the caller. */
export type KeyOrigin =
  /** The session id (`extra.sessionId`, `ctx.sessionId`, `transport.sessionId`, the header, or a variable holding one). */
  | 'session'
  /** A value the client passed as a tool argument (explicit id: already sessionless). */
  | 'argument'
  /** A freshly minted id (`randomUUID()`): a handle store. */
  | 'minted'
  /** A literal (`state.set('current', …)`, `config.mode = …`). */
  | 'constant'
  /** Anything else (auth principal, env, derived). */
  | 'other';

/** One read or write of a state variable. */
export interface StateAccess {
  /** The reference (identifier, or `this.x` property access). */
  node: Node;
  file: string;
  mode: 'read' | 'write';
  /**
   * What the write does: `assign` (reassignment), `mutate` (in-place change without a key: push, property set),
   * `keyed` (keyed set/delete/index assignment); reads are `read` or `keyed-read`.
   */
  op: 'assign' | 'mutate' | 'keyed' | 'read' | 'keyed-read';
  /** A write that reads the current value first (`m.get(k).push(x)`, `const c = m.get(k); c.n++`): the handler also reads. */
  alsoReads?: boolean;
  /** The key expression of a keyed access. */
  key?: Node;
  keyOrigin?: KeyOrigin;
  /** The value assigned or stored (`x = value`, `m.set(k, value)`, `a.push(value)`), when there is one. */
  value?: Node;
  /** Whether the assigned/stored value comes from the handler's inputs (arguments, context). */
  valueFromInput?: boolean;
  /** The assigned value is an id minted for the write (`randomUUID()`, also through a helper's parameter whose callers pass one). */
  valueMinted?: boolean;
  /** The assigned value is `null`/`undefined` (a reset). */
  reset?: boolean;
  /** Inside a lazy-initialisation guard (`if (!x) x = …`, `x ??= …`). */
  lazyInit?: boolean;
  /** The lazy initialisation sits in a getter that returns the variable (`getBrowser()`): a shared resource. */
  inGetter?: boolean;
  /** Registrations whose handlers (or helpers they call) contain this access. */
  by: Registration[];
  /** Low-level request handlers (other than tools/call) and session callbacks containing it. */
  byOther: string[];
}

/**
 * How a state variable ties requests together.
 * - `session-keyed`: some access is keyed by the session id (P1).
 * - `routing`: it stores transports by session id (P3 plumbing, not app state).
 * - `implicit`: a handler sets it so later calls see it without being told which (P2/P5/P6/P7): module `let`
 *   reassigned from a tool, a container changed without an explicit key (push, constant key), or any write to
 *   state that lives per factory run / per connection object.
 * - `handle-store`: module-level container written only under keys the client passes or the server mints
 *   (explicit ids, caches): already sessionless.
 * - `lazy-global`: only lazily initialised or reset by handlers (`if (!client) client = …`): one shared resource.
 * - `unwritten`: no handler writes it.
 */
export type StateDependence = 'session-keyed' | 'routing' | 'implicit' | 'handle-store' | 'lazy-global' | 'unwritten';

/**
 * Why state tools write is the server's own rather than a conversation's, from how it is used:
 * - `id-counter`: a counter only ever stepped to mint ids (`\`search_${++counter}\``);
 * - `persisted`: its contents are written to a file at a path the server fixes (a call history, a write queue);
 * - `per-call`: set from the request at the start of every call of the one handler that reads it (a flag for
 *   the call in flight), so no call sees what an earlier one left;
 * - `client-context`: what the client says about itself, copied from initialize for 2025-era clients and from
 *   every request that carries it (`if (extra._meta?.['io.modelcontextprotocol/clientInfo']) …`) before the
 *   request's work: the client's, the same for every conversation of it;
 * - `rebuilt`: every write assigns the value it started with, from inputs no call decides (a `reconnect` tool
 *   re-creating an API client from the server's configuration);
 * - `set-once`: written only by a function that runs its body once per process (a flag it returns on, then sets),
 *   from nothing a call passes (a module loaded on first use);
 * - `call-scoped`: a field one method sets and releases in its `finally`, used only while that method runs;
 * - `never-filled`: a collection calls only take from, while what adds to it is in code nothing calls;
 * - `warn-once`: a set that only remembers what a warning was given for, so it is given once per process.
 */
export type SharedPurpose = 'id-counter' | 'persisted' | 'per-call' | 'client-context' | 'rebuilt' | 'set-once' | 'call-scoped' | 'never-filled' | 'listener' | 'warn-once';

/** A piece of state the server keeps between requests. */
export interface StateVariable {
  /** The variable or field name. */
  name: string;
  kind: StateKind;
  file: string;
  /** Declaration: a VariableDeclaration, a PropertyDeclaration, or the first `this.x = …` assignment. */
  declaration: Node;
  /** For factory-closure state: the factory. */
  factory?: ServerFactory;
  /** For class-field state: the owning class. */
  ownerClass?: ClassDeclaration | ClassExpression;
  /** Whether the declaration is a container (Map/Set/array/object literal), and which. */
  container?: 'map' | 'set' | 'array' | 'object';
  /** Whether the declaration is reassignable (`let`/`var`/field). */
  mutableBinding: boolean;
  /** Session-keyed: the first key expression that is a session id. */
  sessionKey?: Node;
  /** Whether the values stored are transports (a routing map: session plumbing, not app state). */
  holdsTransports: boolean;
  /** Whether the values stored are upstream clients/URLs (gateway sticky routing). */
  holdsUpstreams: boolean;
  /** For class fields: whether the class itself creates a server (one instance per connection/session). */
  perConnectionClass?: boolean;
  accesses: StateAccess[];
  /** How it depends on earlier requests; audit rules and transforms key off this. */
  dependence: StateDependence;
  /** Kept for the whole process on purpose, as its shape shows (see {@link SharedPurpose}): no finding, no handle. */
  sharedPurpose?: SharedPurpose;
  /** For a field: the state holding the objects it belongs to (a Tab in a Context's `tabs`), which it goes with. */
  heldBy?: StateVariable;
  /** Part of a per-session push (its timers, or the set of sessions a tool switched it on for): no handle, one decision. */
  push?: SessionPush;
  /** Keeps the roots a client listed: decided with the roots requests, no handle (see roots-state.ts). */
  holdsRoots?: boolean;
  /**
   * A registry per connection (factory closure, per-connection object) of entries created under ids the server
   * mints and returns, or names the callers choose and pass back: explicit handles already, so no coarse handle;
   * only where the registry lives must change.
   */
  explicitIds?: boolean;
  /** Labels of the registrations that read it. */
  readers: string[];
  /** Labels of the registrations that write it. */
  writers: string[];
}

/**
 * A timer kept per session that sends the client messages outside any request (simulated logs, resource updates):
 * sessionless serving has no channel for them, whatever handle the state gets.
 */
export interface SessionPush {
  /** The map of timers by session (`logsUpdateIntervals`). */
  timers: StateVariable;
  /** What the timer sends. */
  sends: PushKind;
  /** Tools that switch it on or off. */
  tools: string[];
}

export type PushKind = 'log messages' | 'resource updates' | 'notifications';

/** A session id read: `extra.sessionId`, `ctx.sessionId`, `transport.sessionId`, or the `mcp-session-id` header. */
export interface SessionIdRead {
  node: Node;
  file: string;
  source: 'context' | 'transport' | 'header';
  /** Registrations whose handlers contain it. */
  by: Registration[];
  /** The state access this read is the key of, when any. */
  keyOf?: StateVariable;
  /** Its value reaches nothing a request depends on (printed, passed to parameters nobody reads, stored in a field nothing reads back). */
  leadsNowhere?: boolean;
}

/** Transport construction. */
export interface TransportSite {
  node: NewExpression;
  file: string;
  className: string;
  kind: TransportKind;
  options: ObjectLiteralExpression | undefined;
  /** `sessionIdGenerator` set to something other than `undefined`. */
  sessionful: boolean;
  generator?: PropertyAssignment | Node;
  callbacks: Node[];
  eventStore?: Node;
}

/** Session plumbing: everything a stateful HTTP entry does to route and keep sessions. */
export type PlumbingKind =
  | 'session-id-generator'
  | 'session-callback'
  | 'transport-map'
  | 'session-header-read'
  | 'session-header-write'
  | 'session-header-forward'
  | 'initialize-routing'
  | 'session-error'
  | 'session-route'
  | 'sse-transport'
  | 'framework-sessions'
  | 'event-store'
  | 'transport-session-id';

export interface PlumbingSite {
  kind: PlumbingKind;
  node: Node;
  file: string;
  /** For transport maps: the state variable; for routes: the HTTP method. */
  detail?: string;
  state?: StateVariable;
}

/** A change to what tools/list, prompts/list or resources/list return. */
export interface ListMutation {
  kind: 'toggle' | 'register-in-handler' | 'list-changed';
  list: PrimitiveKind;
  node: Node;
  file: string;
  /** For toggles: the method (`enable`, `disable`, `update`, `remove`). */
  method?: string;
  /** For toggles: the registration whose handle is toggled, when known; for register-in-handler: the registration. */
  target?: Registration;
  /** Registrations whose handlers trigger it (empty: module or factory level). */
  triggeredBy: Registration[];
  /** Other triggers: `oninitialized`, a low-level handler method. */
  triggeredByOther: string[];
}

/** Client context (capabilities, version, roots, log level, subscriptions) kept from earlier requests. */
export interface ClientContextSite {
  kind: 'capabilities' | 'version' | 'roots' | 'log-level' | 'subscriptions' | 'initialized-callback';
  node: Node;
  file: string;
  /** `cached`: stored beyond the request (state, `oninitialized`); `per-call`: read inside a handler. */
  use: 'cached' | 'per-call' | 'callback';
  /** The variable/field it is cached in. */
  state?: string;
  sdk: SdkLine | undefined;
  by: Registration[];
}

/** The whole model of one project (a group of files connected by relative imports). */
export interface ServerModel {
  files: FileInfo[];
  servers: ServerInstance[];
  factories: ServerFactory[];
  registrations: Registration[];
  requestHandlers: RequestHandler[];
  states: StateVariable[];
  sessionIdReads: SessionIdRead[];
  transports: TransportSite[];
  plumbing: PlumbingSite[];
  listMutations: ListMutation[];
  clientContext: ClientContextSite[];
  /** Requests to the client made from a listener or timer, outside any request (see unsolicited.ts). */
  unsolicitedRequests: CallExpression[];
  /** Whether the project uses v2 stateless serving helpers (`createMcpHandler`, `serveStdio`). */
  usesStatelessHelpers: boolean;
  /** Whether `node` runs on behalf of a handler or another entry point (session callback, low-level handler), directly or in a helper they call. */
  isHandled(node: Node): boolean;
}
