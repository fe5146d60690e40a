/**
 * When module state that tools create lazily and share (`if (!browser) browser = await launch()`) is the
 * state of a conversation rather than a shared resource, and what a conversation's record is called, as data.
 * A browser page, a shell or a working directory carries what earlier calls did (the URL navigated to, the
 * directory changed into); a connection pool, an API client or the browser process itself does not (a
 * browser created together with its page joins the page's record: see transforms/scope/candidates.ts).
 */

/** Names of lazily created values that carry a conversation's state. */
export const CONVERSATIONAL_NAMES: readonly RegExp[] = [
  /^(?:page|tab|browserContext|context|frame)s?$/i,
  /(?:Page|Tab|BrowserContext)$/,
  /^(?:terminal|shell|pty|repl|term|sshClient|ssh)s?$/i,
  /^(?:cwd|workingDirectory|currentDirectory)$/i,
  /^(?:current|active|selected)[A-Z_]/,
];

/** Calls whose result is such a value, wherever it is stored: `chromium.launch()`, `browser.newPage()`, `spawn(…)`. */
export const CONVERSATIONAL_CREATORS: readonly RegExp[] = [
  /\.(?:newPage|newContext|launchPersistentContext)\(/,
  /\b(?:pty|nodePty)\.spawn\(/,
];

/**
 * How a value a conversation holds is released, by the call that made it: a record that ends (destroy, expiry,
 * shutdown) releases what it holds even where the server never did (it kept one browser until the process died).
 */
export const RELEASERS: ReadonlyArray<{ made: RegExp; typed: RegExp; release: 'close' | 'kill'; child?: true }> = [
  { made: /\b(?:puppeteer|chromium|firefox|webkit|playwright)\.(?:launch|connect|connectOverCDP)\(|\.launchPersistentContext\(/, typed: /^Browser\b/, release: 'close' },
  // Pages and contexts close with their browser: released alone only when the record holds no browser.
  { made: /\.(?:newPage|newContext)\(/, typed: /^(?:Page|BrowserContext)\b/, release: 'close', child: true },
  { made: /\b(?:spawn|pty\.spawn|nodePty\.spawn)\(/, typed: /^(?:ChildProcess\w*|IPty)\b/, release: 'kill' },
];

/**
 * Words that name state a server shares across every client on purpose (configuration, caches, pools,
 * telemetry, a circuit breaker or rate limiter guarding the process, whatever its author called global): such
 * state is not a conversation's, whatever tools do to it. Matched against the words of a variable or class name
 * (`cachedChromePath`, `poolPromise`, `ConfigManager`, `browserCircuitBreaker`, `globalLogs`), not substrings
 * (`configured`).
 */
export const SHARED_WORDS: ReadonlySet<string> = new Set(['config', 'configuration', 'settings', 'cache', 'cached', 'registry', 'pool', 'telemetry', 'metrics', 'logger', 'analytics', 'usage', 'tracker', 'breaker', 'limiter', 'semaphore', 'mutex', 'throttle', 'global']);

/**
 * Calls that write a file: state a server flushes to a file at a path of its own choosing (a call history in
 * the user's home, a write queue drained to disk) is kept for every client and every restart on purpose.
 */
export const FILE_WRITES: ReadonlySet<string> = new Set(['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream']);

/** Calls that read a file back (the other half of keeping state in one). */
export const FILE_READS: ReadonlySet<string> = new Set(['readFile', 'readFileSync', 'createReadStream']);

/** Names a minted identifier is stored or returned under (`sessionId`, `virtualPid`, `nextRequestId()`). */
export const ID_NAMES = /(?:id|Id|ID)s?$/;

/** Node's modules whose `createServer(…)` makes a server that listens on a port (not an MCP server factory). */
export const LISTENING_MODULES = /^(?:node:)?(?:http|https|http2|net|tls)$/;

/** Calls that only report something (`console.warn(…)`, `process.stderr.write(…)`, `logger.info(…)`), by the callee's text. */
export const REPORTING_CALLS = /^(?:console\.\w+|process\.(?:stderr|stdout)\.write|(?:this\.)?(?:\w*[lL]ogger|log)\.\w+|log|warn)$/;

/** Names of the port a listener took (`currentPort`, `port`, `uiPort`). */
export const PORT_NAMES = /(?:^|[a-z])(?:port|Port|PORT)$/;

/** A module singleton (`const x = new C()`) holds a conversation's state only when its class or name says so. */
export const CONVERSATIONAL_CLASSES: readonly RegExp[] = [/browser|page|tab|connection|database|terminal|shell|ssh|workspace|notebook|cart|repl|thinking|thought|conversation|chat|dialog|transcript/i];

/**
 * The record's name from the state it holds, first match wins; `session` when nothing matches. Each test is
 * matched against one word of a name (`currentDatabase` → current, database), so a `tab` inside `database`
 * does not make a browser.
 */
export const SCOPE_NOUNS: ReadonlyArray<{ test: RegExp; noun: string }> = [
  { test: /^(?:browser|page|tab|frame)s?$/, noun: 'browser' },
  { test: /^(?:terminal|shell|pty|repl|ssh)s?$/, noun: 'terminal' },
  { test: /^(?:db|database|conn|connection|client|sql|sqlite|mysql|postgres|mongo|pool)s?$/, noun: 'connection' },
];

/** The record's name when no entry of {@link SCOPE_NOUNS} matches. */
export const DEFAULT_SCOPE_NOUN = 'session';

/** Names tried in turn when the tools already take the chosen one's id (`session_id` of their own). */
export const FALLBACK_SCOPE_NOUNS: readonly string[] = ['session', 'conversation', 'workspace'];

/** Calls that register process shutdown work, whose statements about the state become the record's cleanup. */
export const SHUTDOWN_EVENTS: readonly string[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2', 'exit', 'beforeExit', 'uncaughtException', 'unhandledRejection'];

/** Methods that register an event listener on `process` (or `process.stdin`). */
export const SHUTDOWN_LISTENERS: readonly string[] = ['on', 'once', 'addListener', 'prependListener'];

/** Events of the standard input that end a stdio server (the client closed its end): shutdown too. */
export const STDIN_SHUTDOWN_EVENTS: readonly string[] = ['close', 'end'];

/** Methods that release an object a record holds (`await context.close()`), run when the record ends. */
export const RELEASE_METHODS: readonly string[] = ['close', 'dispose', 'destroy', 'shutdown', 'cleanup', 'disconnect', 'quit', 'terminate'];

/** Transport callbacks that run when the connection ends or fails (`transport.onclose = () => shutdown()`). */
export const TRANSPORT_END_CALLBACKS: readonly string[] = ['onclose', 'onerror'];

/** What a logging object is called: `console`, `logger`, `this.logger`, `browserLogger`, `log` (not `catalog`). */
export const LOG_RECEIVERS = /^(?:console|(?:this\.)?(?:logger|log|[A-Za-z_$][\w$]*(?:Logger|Log|_logger|_log)))$/;

/** Tracing calls (OpenTelemetry's span API): what they are given is recorded, not acted on. */
export const TELEMETRY_METHODS: readonly string[] = ['startSpan', 'startActiveSpan', 'setAttribute', 'setAttributes', 'addEvent', 'recordException'];

/**
 * What migrate's handle-scope module calls its scopes' definer, the method that builds an object per record, and
 * the property that is the current record.
 */
export const SCOPE_DEFINER = 'defineScope';
export const SCOPE_INSTANCE_METHOD = 'instance';
export const SCOPE_STATE_PROPERTY = 'state';

/** Names of the functions a server stops with (`shutdown()`, `stopServer()`, `cleanup`). */
export const STOPPING_NAME = /^(?:shutdown|stop|close|dispose|cleanup|teardown|destroy)(?:[A-Z_]\w*)?$/;
