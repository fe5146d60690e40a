import { METHOD_NOT_ALLOWED_BODY } from '../../src/rules/transport-symbols.js';
import { quoted, render, type Style } from './style.js';

/**
 * The code the transport transforms write. Lines are authored with two spaces per level and rendered
 * in the file's own indentation; quotes and semicolons come from the file's style.
 */

/** What the new serving code needs to know about the handler it goes into. */
export interface ServeInput {
  target: 'v1' | 'v2';
  kind: 'node' | 'web';
  /** v1 only: this handler sees every method, so it answers 405 to anything but POST itself. */
  guard: boolean;
  /** Request, response and pre-parsed body expressions, as the old code passed them to the transport. */
  req: string;
  res?: string;
  body?: string;
  /** Web transports: the options argument (`{ authInfo }`) the old code passed along. */
  webOptions?: string;
  /** v1: expression building the server, names to use, transport class and carried options. */
  factoryCall?: string;
  server?: string;
  transport?: string;
  transportClass?: string;
  options?: readonly string[];
  /** v2: the module-level handler's name. */
  handler?: string;
  /** Code follows that the old code returned before: end with `return`. */
  returnAfter?: boolean;
  /** Node behind a framework: how the handler ends after the response is written (`return c.body(null);`), as written from column 0. */
  answerAfter?: readonly string[];
  /** Web: keep the response in this variable instead of returning it (the handler's own answer reads it). */
  answerInto?: string;
  /** The expression whose `.method` is the request's method, when not `req` itself (a Hono context's `c.req`). */
  methodOf?: string;
  /** A transport resolver: return the connected transport (its callers serve the request), `failure` after a 405. */
  resolver?: { failure?: string };
  /** v1: the factory's result is destructured with this pattern (`{ server, cleanup }`), binding `server`. */
  pattern?: string;
  /** v1: functions to call once the request's server closes (a destructured factory's `cleanup`). */
  closeCalls?: readonly string[];
  /** v1: statements, as written from column 0, that end what the request opened (`dbManager.disconnectAll()`). */
  closeStatements?: readonly string[];
  /** v1: the application's own call that builds a server and connects it to the transport (no server variable). */
  connectCall?: string;
  /**
   * v1, Node: the one server the handler cannot build again (`this.mcpServer!`), served in turns through the module's
   * `helper`; `closed` names the promise of the response's end, which ends the turn; `setup`, statements that set
   * the server's object up for this request, run first in the turn.
   */
  inTurn?: { server: string; helper: string; closed: string; setup?: readonly string[] };
}

/** A Node response's 405 answer for every method but POST. */
export function methodNotAllowedNode(res: string, s: Style): string[] {
  return [
    res,
    `  .writeHead(405, { Allow: ${quoted(s, 'POST')}, ${quoted(s, 'Content-Type')}: ${quoted(s, 'application/json')} })`,
    `  .end(JSON.stringify(${body(s)}))${s.semi}`,
  ];
}

function methodNotAllowedWeb(s: Style): string[] {
  const comma = s.trailingComma ? ',' : '';
  return [
    `new Response(JSON.stringify(${body(s)}), {`,
    '  status: 405,',
    `  headers: { Allow: ${quoted(s, 'POST')}, ${quoted(s, 'Content-Type')}: ${quoted(s, 'application/json')} }${comma}`,
    '})',
  ];
}

function body(s: Style): string {
  return s.quote === "'" ? METHOD_NOT_ALLOWED_BODY : METHOD_NOT_ALLOWED_BODY.replace(/'/g, '"');
}

function transportConstruction(i: ServeInput, s: Style): string[] {
  // Spreads kept from the old options go first, so nothing they hold can turn session ids back on.
  const kept = i.options ?? [];
  const options = [...kept.filter((o) => o.startsWith('...')), 'sessionIdGenerator: undefined', ...kept.filter((o) => !o.startsWith('...'))];
  const head = `const ${i.transport} = new ${i.transportClass}(`;
  if (options.length === 1) return [`${head}{ ${options[0]} })${s.semi}`];
  return [`${head}{`, ...options.map((o, n) => `  ${o}${n < options.length - 1 || s.trailingComma ? ',' : ''}`), `})${s.semi}`];
}

/** Statements that serve one request in place of the session routing. */
export function serveLines(i: ServeInput, s: Style): string[] {
  const args = (...parts: Array<string | undefined>) => parts.filter((p): p is string => p !== undefined).join(', ');
  const end = i.returnAfter && i.kind === 'node' ? [`return${s.semi}`] : [];
  if (i.target === 'v2') {
    // What the old code also did when the response ended runs when it ends now.
    const onClose = (i.closeStatements ?? []).flatMap((statement) => asSnippetLines(statement, s).map((line) => `  ${line}`));
    const listener = onClose.length > 0 ? [`${i.res}.on(${quoted(s, 'close')}, () => {`, ...onClose, `})${s.semi}`] : [];
    return i.kind === 'node'
      ? [...listener, `await ${i.handler}(${args(i.req, i.res, i.body)})${s.semi}`, ...end]
      : [`return ${i.handler}.fetch(${args(i.req, i.webOptions)})${s.semi}`];
  }
  const lines: string[] = [];
  const failure = i.resolver?.failure;
  if (i.guard && i.kind === 'node') {
    // After the 405 the handler answers its framework as it does after serving (`return c.body(null)`).
    const after = i.answerAfter?.flatMap((statement) => asSnippetLines(statement, s));
    const leave = after ?? [failure === undefined || failure === 'undefined' ? `return${s.semi}` : `return ${failure}${s.semi}`];
    lines.push(`if (${i.req}.method !== ${quoted(s, 'POST')}) {`, ...methodNotAllowedNode(i.res ?? 'res', s).map((l) => `  ${l}`), ...leave.map((l) => `  ${l}`), '}');
  }
  if (i.guard && i.kind === 'web') {
    const response = methodNotAllowedWeb(s);
    lines.push(`if (${i.methodOf ?? i.req}.method !== ${quoted(s, 'POST')}) {`, `  return ${response[0]}`, ...response.slice(1, -1).map((l) => `  ${l}`), `  ${response[response.length - 1]}${s.semi}`, '}');
  }
  if (i.inTurn && i.kind === 'node') return [...lines, ...inTurnLines(i, i.inTurn, s), ...end];
  if (i.connectCall === undefined) lines.push(`const ${i.pattern ?? i.server} = ${i.factoryCall}${s.semi}`);
  lines.push(...transportConstruction(i, s));
  const cleanup = [...(i.closeCalls ?? []).map((name) => `  ${name}()${s.semi}`), ...(i.closeStatements ?? []).flatMap((statement) => asSnippetLines(statement, s).map((line) => `  ${line}`))];
  // A connector's server is not ours to hold: closing the transport ends its connection.
  const closeServer = i.connectCall === undefined ? [`  void ${i.server}.close()${s.semi}`] : [];
  if (i.kind === 'node') {
    lines.push(`${i.res}.on(${quoted(s, 'close')}, () => {`, `  void ${i.transport}.close()${s.semi}`, ...closeServer, ...cleanup, `})${s.semi}`);
  }
  lines.push(i.connectCall !== undefined ? `${i.connectCall}${s.semi}` : `await ${i.server}.connect(${i.transport})${s.semi}`);
  if (i.resolver) return [...lines, `return ${i.transport}${s.semi}`];
  lines.push(
    i.kind === 'node'
      ? `await ${i.transport}.handleRequest(${args(i.req, i.res, i.body)})${s.semi}`
      : i.answerInto !== undefined
        ? `const ${i.answerInto} = await ${i.transport}.handleRequest(${args(i.req, i.webOptions)})${s.semi}`
        : `return ${i.transport}.handleRequest(${args(i.req, i.webOptions)})${s.semi}`,
  );
  return [...lines, ...end];
}

/**
 * One request's turn with a shared server: its own transport is connected, serves the request, and is closed once the
 * response has ended (the listener is added first, so a client that leaves while waiting still ends its turn).
 */
function inTurnLines(i: ServeInput, turn: NonNullable<ServeInput['inTurn']>, s: Style): string[] {
  const res = i.res ?? 'res';
  const args = [i.req, i.res, i.body].filter((p): p is string => p !== undefined).join(', ');
  return [
    `const ${turn.closed} = new Promise((resolve) => ${res}.once(${quoted(s, 'close')}, resolve))${s.semi}`,
    `await ${turn.helper}(async () => {`,
    ...(turn.setup ?? []).flatMap((statement) => asSnippetLines(statement, s).map((line) => `  ${line}`)),
    ...transportConstruction(i, s).map((line) => `  ${line}`),
    `  await ${turn.server}.connect(${i.transport})${s.semi}`,
    '  try {',
    `    await ${i.transport}.handleRequest(${args})${s.semi}`,
    `    await ${turn.closed}${s.semi}`,
    '  } finally {',
    `    await ${i.transport}.close()${s.semi}`,
    ...(i.closeStatements ?? []).flatMap((statement) => asSnippetLines(statement, s).map((line) => `    ${line}`)),
    '  }',
    `})${s.semi}`,
  ];
}

/**
 * The module-level queue requests take turns in: `serve` runs once every earlier turn has ended, whatever its outcome.
 * Written typed in TypeScript files, plain in JavaScript ones.
 */
export function inTurnHelper(names: { helper: string; queue: string }, server: string, typed: boolean, s: Style): string[] {
  const serve = typed ? 'serve: () => Promise<void>' : 'serve';
  const returns = typed ? ': Promise<void>' : '';
  return [
    `// \`${server}\` holds one transport at a time (the SDK refuses a second connect while one is open): requests take turns with it.`,
    `let ${names.queue} = Promise.resolve()${s.semi}`,
    `function ${names.helper}(${serve})${returns} {`,
    `  const turn = ${names.queue}.then(serve)${s.semi}`,
    `  ${names.queue} = turn.catch(() => {})${s.semi}`,
    `  return turn${s.semi}`,
    '}',
  ];
}

/** A statement the file wrote, its continuation lines re-indented in the two spaces per level snippets are written with. */
function asSnippetLines(statement: string, s: Style): string[] {
  const width = s.unit === '\t' ? 1 : s.unit.length;
  return statement.split('\n').map((line) => {
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    return `${'  '.repeat(Math.round(indent.replace(/\t/g, ' ').length / width))}${line.slice(indent.length)}`;
  });
}

/** The body of a GET/DELETE branch of a method dispatch: 405 on v1, the v2 entry otherwise. */
export function sessionBranchLines(i: { target: 'v1' | 'v2'; kind: 'node' | 'web'; handler: string; req: string; res?: string; returns: boolean }, s: Style): string[] {
  const end = i.returns && i.kind === 'node' ? [`return${s.semi}`] : [];
  if (i.target === 'v2') {
    return i.kind === 'node' ? [`await ${i.handler}(${i.req}, ${i.res})${s.semi}`, ...end] : [`return ${i.handler}.fetch(${i.req})${s.semi}`];
  }
  if (i.kind === 'web') {
    const response = methodNotAllowedWeb(s);
    return [`return ${response[0]}`, ...response.slice(1, -1), `${response[response.length - 1]}${s.semi}`];
  }
  return [...methodNotAllowedNode(i.res ?? 'res', s), ...end];
}

/**
 * A route handler (expression) for GET/DELETE on a stateless endpoint. `params` are the new handler's
 * parameters; `req`/`res` the request and response expressions written in terms of them (`req`,
 * `reply.raw` on Fastify, `c.req.raw` on Hono), derived from how the POST handler reached them.
 */
export function sessionRouteHandler(
  i: { target: 'v1' | 'v2'; kind: 'node' | 'web'; handler: string; params: readonly string[]; req: string; res?: string },
  s: Style,
  indent: string,
): string {
  const list = i.params.join(', ');
  if (i.target === 'v2') {
    if (i.kind === 'web') return `(${list}) => ${i.handler}.fetch(${i.req})`;
    return i.req === i.params[0] && i.res === i.params[1] ? i.handler : `(${list}) => ${i.handler}(${i.req}, ${i.res})`;
  }
  if (i.kind === 'web') {
    const response = methodNotAllowedWeb(s);
    return render([`() =>`, ...response.map((l) => `  ${l}`)], s, indent).trimStart();
  }
  const res = i.res ?? 'res';
  // Parameters the 405 answer does not use get the conventional underscore.
  const params = i.params.map((p) => (res === p || res.startsWith(`${p}.`) || p.startsWith('_') ? p : `_${p}`)).join(', ');
  return render([`(${params}) => {`, ...methodNotAllowedNode(res, s).map((l) => `  ${l}`), '}'], s, indent).trimStart();
}

/** The module-level v2 serving entry. */
export function v2HandlerDeclaration(i: { kind: 'node' | 'web'; name: string; factory: string; options: readonly string[] }, s: Style): string {
  const options = i.options.length > 0 ? `, { ${i.options.join(', ')} }` : '';
  const handler = `createMcpHandler(${i.factory}${options})`;
  return `const ${i.name} = ${i.kind === 'node' ? `toNodeHandler(${handler})` : handler}${s.semi}`;
}

/** A v2 route handler that only forwards to the module-level entry. */
export function conciseHandler(i: { kind: 'node' | 'web'; handler: string; params: readonly string[]; req: string; res?: string; body?: string; webOptions?: string }): string {
  if (i.kind === 'node') {
    if (i.body === undefined && i.req === i.params[0] && i.res === i.params[1]) return i.handler;
    return `(${i.params.join(', ')}) => ${i.handler}(${[i.req, i.res, i.body].filter(Boolean).join(', ')})`;
  }
  return `(${i.params.join(', ')}) => ${i.handler}.fetch(${[i.req, i.webOptions].filter(Boolean).join(', ')})`;
}

/** A statement moved into a new function, and whether a blank line separated it from the one before. */
export interface MovedStatement {
  text: string;
  blankBefore: boolean;
}

/** `function buildServer() { …moved statements…; return server; }` */
export function factoryFunction(name: string, statements: readonly MovedStatement[], variable: string, s: Style, indent: string): string {
  const inner = `${indent}${s.unit}`;
  const body = statements.map((m, i) => `${i > 0 && m.blankBefore ? '\n' : ''}${inner}${m.text}`);
  const blankReturn = statements.some((m, i) => i > 0 && m.blankBefore);
  return [`${indent}function ${name}() {`, ...body, `${blankReturn ? '\n' : ''}${inner}return ${variable}${s.semi}`, `${indent}}`].join('\n');
}

export { render };
