import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { describeTarget } from './connect.js';
import { ConversationRecorder, emptyConversation, type Conversation } from './conversation.js';
import { VerifyError } from './errors.js';
import type { HttpTarget, StdioTarget, VerifyTarget } from './types.js';

export interface RecordOptions {
  /** The conversation is rewritten after every step, so a client that kills the proxy loses nothing. */
  out: string;
  /** HTTP: the port to listen on (0: a free one). */
  port?: number;
  onListening?: (url: string) => void;
  /** HTTP: stops the proxy (default: SIGINT or SIGTERM). */
  signal?: AbortSignal;
  /** stdio: the client side (default: this process's stdin and stdout). */
  input?: Readable;
  output?: Writable;
}

/** Record the conversation a real client has with the server through a proxy, until it ends. */
export async function recordConversation(target: VerifyTarget, options: RecordOptions): Promise<Conversation> {
  if (target.kind === 'stdio') return recordStdio(target, options);
  const proxy = await startHttpRecorder(target, options);
  options.onListening?.(proxy.url);
  const signal = options.signal ?? processSignal();
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  return proxy.stop();
}

function save(out: string): (conversation: Conversation) => void {
  return (conversation) => writeFileSync(out, `${JSON.stringify(conversation, null, 2)}\n`);
}

/** Write the empty conversation first, so a path that cannot be written fails before anything starts. */
function startFile(out: string, conversation: Conversation): void {
  try {
    save(out)(conversation);
  } catch (error) {
    throw new VerifyError(`cannot write the conversation to ${out}: ${(error as Error).message}`);
  }
}

/**
 * stdio: verify is the server the client started; it starts the real server and passes every line both
 * ways unchanged, reading the JSON-RPC messages as they go by.
 */
async function recordStdio(target: StdioTarget, options: RecordOptions): Promise<Conversation> {
  const recorder = new ConversationRecorder(emptyConversation(describeTarget(target)), save(options.out));
  startFile(options.out, recorder.conversation);
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const child = spawn(target.command, target.args ?? [], { cwd: target.cwd, env: { ...process.env, ...target.env }, stdio: ['pipe', 'pipe', 'inherit'] });
  const started = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error) => reject(new VerifyError(`cannot start ${describeTarget(target)}: ${error.message}`)));
  });
  await started;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input }).on('line', (line) => {
    parseAnd(line, (message) => recorder.fromClient(message));
    child.stdin.write(`${line}\n`);
  }).on('close', () => {
    // The client went away: end the server the way an MCP client ends a stdio server (close its input, then
    // SIGTERM, then SIGKILL), so a server whose browser keeps it alive does not outlive the recording.
    child.stdin.end();
    void stopAfterGrace(child, exited);
  });
  // Stopped by the client that started it: stop the real server too, rather than leave it running alone.
  const forward = (signal: NodeJS.Signals) => () => {
    child.kill(signal);
    void exited.then(() => process.exit(0));
  };
  const signals = options.input ? [] : (['SIGTERM', 'SIGINT'] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of signals) process.once(signal, handler);
  createInterface({ input: child.stdout }).on('line', (line) => {
    parseAnd(line, (message) => recorder.fromServer(message));
    output.write(`${line}\n`);
  });
  await exited;
  for (const [signal, handler] of signals) process.off(signal, handler);
  return recorder.conversation;
}

/** How long a stdio server gets to exit after its input closes, and again after SIGTERM. */
const STDIO_GRACE_MS = 2000;

async function stopAfterGrace(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const wait = () => new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STDIO_GRACE_MS).unref());
  if ((await Promise.race([exited, wait()])) !== 'timeout') return;
  child.kill('SIGTERM');
  if ((await Promise.race([exited, wait()])) !== 'timeout') return;
  child.kill('SIGKILL');
}

export interface HttpRecorder {
  url: string;
  conversation: Conversation;
  stop(): Promise<Conversation>;
}

/** HTTP: listen on 127.0.0.1 and forward every request to the server, recording POSTed JSON-RPC. */
export async function startHttpRecorder(target: HttpTarget, options: Pick<RecordOptions, 'out' | 'port'>): Promise<HttpRecorder> {
  const recorder = new ConversationRecorder(emptyConversation(describeTarget(target)), save(options.out));
  startFile(options.out, recorder.conversation);
  const upstream = new URL(target.url);
  const server = createServer((req, res) => {
    forward(req, res, upstream, target.headers ?? {}, recorder).catch((error: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`verify record: ${error.message}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}${upstream.search}`,
    conversation: recorder.conversation,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return recorder.conversation;
    },
  };
}

/** Headers that describe one hop, not the message. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'content-encoding']);

async function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, extraHeaders: Record<string, string>, recorder: ConversationRecorder): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const headers: Record<string, string> = { ...extraHeaders };
  for (const [name, value] of Object.entries(req.headers)) if (!HOP_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
  if (req.method === 'POST') parseAnd(body.toString('utf8'), (message) => recorder.fromClient(message));
  const response = await fetch(new URL(req.url ?? '/', upstream), { method: req.method, headers, body: body.length > 0 ? body : undefined });
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!HOP_HEADERS.has(name)) responseHeaders[name] = value;
  });
  res.writeHead(response.status, responseHeaders);
  if (!response.body) return void res.end();
  const isStream = (response.headers.get('content-type') ?? '').includes('text/event-stream');
  let buffered = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    res.write(chunk);
    buffered += decoder.decode(chunk as Uint8Array, { stream: true });
    if (isStream) buffered = takeEvents(buffered, (data) => parseAnd(data, (message) => recorder.fromServer(message)));
  }
  if (!isStream) parseAnd(buffered, (message) => recorder.fromServer(message));
  res.end();
}

/** Hand the `data:` of every complete server-sent event to `onData`; return the incomplete rest. */
function takeEvents(buffer: string, onData: (data: string) => void): string {
  const events = buffer.split(/\r?\n\r?\n/);
  const rest = events.pop() ?? '';
  for (const event of events) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (data) onData(data);
  }
  return rest;
}

function parseAnd(text: string, use: (message: unknown) => void): void {
  try {
    use(JSON.parse(text));
  } catch {
    // Not JSON-RPC (a log line, an empty body): passed on, not recorded.
  }
}

function processSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
