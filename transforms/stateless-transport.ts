import type { Transform, TransformContext } from '../src/engine/transform.js';
import { DEFAULT_STREAMABLE_PATH } from '../src/rules/transport-symbols.js';
import { planFrameworkEntry } from './transport/framework-entry.js';
import { planHttpEntry } from './transport/http-entry.js';
import { addImports, pruneImports } from './transport/imports.js';
import { removeOrphans } from './transport/orphans.js';
import type { PhaseInput, PhaseOutput, TransportOptions } from './transport/phase.js';
import { planStdioEntry } from './transport/stdio-entry.js';
import { planOwnSessionHeader } from './transport/own-session-header.js';
import { planUnusedMaps } from './transport/unused-maps.js';
import { planStarterCallers, planStarters, type StarterDecisions } from './transport/starters.js';
import { detectStyle } from './transport/style.js';
import { TextEdits, type MarkerRequest } from './transport/text-edits.js';
import { replaceFileText } from '../src/engine/parse.js';
import { ASKS_MID_CALL, TRANSPORT_KEPT } from '../src/rules/marker-messages.js';

/**
 * Sessionless serving for server entry files (patterns P3 and P10):
 * - Streamable HTTP with session routing (`transports[sessionId]`, `isInitializeRequest`, session-id
 *   header reads, GET/DELETE session routes, `sessionIdGenerator`, `eventStore`) becomes, on v2,
 *   `createMcpHandler(factory)` (+ `toNodeHandler` for Node and Express), and on v1 a fresh
 *   `StreamableHTTPServerTransport({ sessionIdGenerator: undefined })` per request with 405 for GET/DELETE;
 * - the deprecated HTTP+SSE transport (`SSEServerTransport`, `/messages?sessionId=`) becomes the same
 *   stateless Streamable HTTP entry, with a marker where the public URL changes (and only a marker on an SDK
 *   release older than the Streamable HTTP transport);
 * - stdio on v2: `server.connect(new StdioServerTransport())` becomes `serveStdio(factory)`;
 * - frameworks that keep sessions themselves (FastMCP) get their own stateless switch (`httpStream.stateless: true`);
 * - an Mcp-Session-Id the application hands out itself around serving that keeps no sessions goes (own-session-header.ts);
 * - a starter handed the server (`startSSEServer(server)`) is handed a factory instead, by every caller (starters.ts).
 * Auth middleware, CORS, host validation, custom routes and logging are statements we never touch.
 * State the old one-server-per-session model kept alive (factory closures, per-connection objects, session-keyed
 * maps) stops the rewrite with one marker: that is the state transforms' job, and they run before this one. State
 * they already marked does not: one decline must not keep the whole server on sessions.
 */

/** Phases run in order over the same file; each sees the previous one's result. */
const PHASES: ReadonlyArray<(input: PhaseInput) => PhaseOutput | undefined> = [planUnusedMaps, planHttpEntry, planOwnSessionHeader, planStdioEntry, planFrameworkEntry, planStarterCallers];

/** Write edits into the file; returns the markers mapped onto the new text. */
function commit(context: TransformContext, edits: TextEdits, markers: readonly MarkerRequest[]): MarkerRequest[] {
  const result = edits.result(markers);
  if (result.text !== context.file.getFullText()) {
    // No node is held across a commit: markers are offsets.
    replaceFileText(context.file, result.text);
  }
  return result.markers;
}

/** After a rewrite: drop declarations and imports it made dead, then add what the new code needs. */
function tidy(context: TransformContext, input: PhaseInput, output: PhaseOutput, markers: MarkerRequest[]): MarkerRequest[] {
  const candidates = new Set(output.candidates);
  let round = output.candidates;
  for (let i = 0; i < 8 && round.size > 0; i++) {
    const edits = new TextEdits(context.file.getFullText());
    round = removeOrphans(context.file, edits, round);
    if (edits.size === 0) break;
    for (const name of round) candidates.add(name);
    markers = commit(context, edits, markers);
  }
  let edits = new TextEdits(context.file.getFullText());
  addImports(context.file, edits, input.style, output.imports);
  markers = commit(context, edits, markers);
  edits = new TextEdits(context.file.getFullText());
  pruneImports(context.file, edits, candidates);
  return commit(context, edits, markers);
}

function readOptions(options: Readonly<Record<string, string | boolean>>): TransportOptions {
  return {
    output: options.output === 'v2' ? 'v2' : 'auto',
    path: typeof options.path === 'string' && options.path.startsWith('/') ? options.path : DEFAULT_STREAMABLE_PATH,
  };
}

export const statelessTransport: Transform<StarterDecisions | undefined> = {
  id: 'stateless-transport',
  title: 'Stateless transports',
  description:
    'Remove session plumbing from server entry points: Streamable HTTP session maps and GET/DELETE session routes become createMcpHandler (v2) or a per-request transport answering 405 to GET/DELETE (v1); HTTP+SSE becomes Streamable HTTP; stdio on v2 uses serveStdio; FastMCP servers use their stateless mode.',
  rules: ['SL001', 'SL002'],
  patterns: ['P3', 'P10'],
  vocabulary: /StreamableHTTPServerTransport|SSEServerTransport|StdioServerTransport|sessionIdGenerator|isInitializeRequest|mcp-session-id|fastmcp/i,
  options: [
    {
      name: 'output',
      description: 'auto: write serving code for the SDK line the file uses; v2: write v2 entries (createMcpHandler, serveStdio) into v1 files too, for projects that also run @modelcontextprotocol/codemod v1-to-v2',
      default: 'auto',
      choices: ['auto', 'v2'],
    },
    { name: 'path', description: 'endpoint path of the Streamable HTTP route that replaces an HTTP+SSE pair', default: DEFAULT_STREAMABLE_PATH },
  ],
  // A starter handed the server (`startSSEServer(server)`) converts only together with every caller: decided here,
  // for the whole group, before any file changes.
  prepare(context) {
    const options = readOptions(context.options);
    const files = context.files.map((path) => context.project.getSourceFile(`/${path}`)).filter((file) => file !== undefined);
    return planStarters(context.project, files, (file, starters) => {
      if (!statelessTransport.vocabulary.test(file.getFullText())) return;
      try {
        planHttpEntry({ file, project: context.project, options, style: detectStyle(file), facts: context.facts, starters, existing: (path) => context.readExisting(path) });
      } catch {
        // A file the planner cannot handle converts no starter; its own apply reports the error.
      }
    });
  },
  apply(context) {
    const options = readOptions(context.options);
    const existing = (path: string) => context.project.getSourceFile(`/${path}`)?.getFullText() ?? context.readExisting(path) ?? (context.fileExists(path) ? '' : undefined);
    let markers: MarkerRequest[] = [];
    for (const phase of PHASES) {
      const input: PhaseInput = { file: context.file, project: context.project, options, style: detectStyle(context.file), facts: context.facts, starters: context.plan, existing };
      const output = phase(input);
      if (!output) continue;
      for (const module of output.emit ?? []) context.emitFile(module.path, module.content);
      const changes = output.edits.size > 0;
      markers = commit(context, output.edits, [...markers, ...output.markers]);
      if (changes) markers = tidy(context, input, output, markers);
    }
    for (const marker of markers) {
      if (marker.level === 'info') {
        const { line, column } = context.file.getLineAndColumnAtPos(marker.pos);
        context.report({ level: 'info', rule: marker.rule, line, column, message: marker.message });
        continue;
      }
      // One marker per kept transport: a file that already says why its transport stays gets no second one.
      if (marker.message.startsWith(TRANSPORT_KEPT) && context.file.getFullText().includes(`(${marker.rule}): ${TRANSPORT_KEPT}`)) continue;
      // The tools that ask mid-call are one decision, however many entries (SSE, Streamable HTTP) serve them.
      if (marker.message.startsWith(ASKS_MID_CALL) && context.project.getSourceFiles().some((f) => f !== context.file && f.getFullText().includes(marker.message))) continue;
      const node = context.file.getDescendantAtPos(marker.pos);
      if (node) context.addMarker(node, marker.rule, marker.message);
    }
  },
};
