/**
 * Tools that key what they keep by the MCP session id (`browserManager.getPage(extra.sessionId)`, a session
 * manager handed `{ ...context, sessionId: extra.sessionId }`): sessionless requests carry no session id, so
 * every conversation would fall into one shared entry. The coarse handle stands in for it: one `session` scope
 * (templates/handle-scope) with a creator whose id those tools take, and each read of the session id becomes
 * the id of the record the call was given (`sessions.currentId()`). What the server kept per session it keeps
 * per session id as before, its own code unchanged; only where the id comes from changes.
 */
import { Node, SyntaxKind, type ParameterDeclaration, type SourceFile } from 'ts-morph';
import { declarationOf, referencesTo } from '../shared/declarations.js';
import type { Registration, ServerModel, SessionIdRead } from '../../src/analysis/index.js';
import { relativeOf } from '../../src/engine/parse.js';
import type { TextEdits } from '../handles/edits.js';
import { str, toolList, ttlText } from '../handles/generate.js';
import { freeLocalName } from '../handles/local-names.js';
import { isCommonJs } from '../handles/imports.js';
import { aboveTopLevel, styleOf } from '../handles/site.js';
import type { HandleOptions } from '../handles/store-file.js';
import type { SiteResult } from '../handles/site.js';
import { SESSION_SCOPED_TASK_CALLS } from '../../src/rules/sdk.js';
import { readsOwnCopy } from '../../src/analysis/origins.js';
import { unwrap } from '../../src/analysis/syntax.js';
import { removeMarkersNaming } from './stale-markers.js';
import { freeNoun, ImportNeeds, wireTools, type LifecycleNames, type ScopePaths } from './wiring.js';
import { definitionAnchor, toolNameOf } from './tool-sites.js';
import { APP_SESSION_FIELD, appSessionIdOrigin, openingIn, openingRecord } from '../shared/minted-ids.js';
import { appSessionIds } from '../../src/rules/marker-messages.js';

/** Session plumbing that shows the server hands out session ids (over stdio there are none to key by). */
const SESSIONFUL_PLUMBING = new Set(['session-id-generator', 'transport-map', 'framework-sessions', 'initialize-routing', 'session-header-read']);

/** Reads no session scope can take, each with the marker that says why. */
export interface SessionIdDecline {
  declined: string;
  reads: Node[];
}

export interface SessionIdPlan {
  /** The file the scope is defined in, its notes and the tools now behind it. */
  home: SourceFile;
  result: SiteResult;
  tools: Registration[];
}

/**
 * Plan the session scope for the reads no other rewrite took. `claimed` tools already run inside a record of
 * their module's state (a second id on them would be a second handle for one conversation): their reads stay.
 */
export function planSessionIds(
  model: ServerModel,
  options: HandleOptions,
  claimed: ReadonlySet<Node>,
  paths: () => ScopePaths,
  editsOf: (file: SourceFile) => TextEdits,
  toolNames: ReadonlySet<string>,
  takenNouns: ReadonlySet<string>,
): SessionIdPlan | SessionIdDecline | string | undefined {
  if (!model.plumbing.some((site) => SESSIONFUL_PLUMBING.has(site.kind))) return undefined;
  const reads = model.sessionIdReads.filter((read) => keysState(read) && !read.by.some((r) => claimed.has(r.call)));
  if (reads.length === 0) return undefined;
  // Ids the application minted for its own sessions key what it keeps in its own registry: a session_id cannot stand
  // in for one, but a record can hold one, opened by the creator with the application's own call.
  const origin = appSessionIdOrigin(model.transports.map((transport) => transport.generator));
  const tools = [...new Set(reads.flatMap((read) => read.by))].sort((a, b) => relativeOf(a.call.getSourceFile()).localeCompare(relativeOf(b.call.getSourceFile())) || a.call.getStart() - b.call.getStart());
  const home = tools[0]!.call.getSourceFile();
  const opening = origin && openingIn(origin, home);
  if (origin && !opening) return { declined: appSessionIds(origin.text), reads: reads.map((read) => read.node) };
  // The id the tools key by: the record's own id, or the application's session the record opened.
  const idOf = (scope: string) => (opening ? `${scope}.state.${APP_SESSION_FIELD}` : `${scope}.currentId()`);
  // A CommonJS module cannot import the ESM scope; the finer transforms' markers say so already.
  if ([...tools.map((r) => r.call.getSourceFile()), ...reads.map((read) => read.node.getSourceFile())].some(isCommonJs)) return undefined;
  const noun = freeNoun(['session', 'conversation', 'chat'].filter((candidate) => !takenNouns.has(candidate)), tools, toolNames, options.creatorTemplate);
  if (!noun) return undefined;
  const names = sessionNames(noun, home, options, toolNames);
  const scopePaths = paths();
  const imports = new ImportNeeds();
  for (const read of reads) {
    editsOf(read.node.getSourceFile()).replaceNode(withFallback(read.node), idOf(names.scope));
    if (read.node.getSourceFile() !== home) imports.need(read.node.getSourceFile(), relativeOf(home), names.scope);
  }
  for (const parameter of contextsLeftUnused(reads)) editsOf(parameter.getSourceFile()).replaceNode(parameter.getNameNode(), `_${parameter.getName()}`);
  const ending = sessionEndCode(model, idOf(names.scope));
  for (const moved of ending) {
    editsOf(moved.statement.getSourceFile()).removeStatement(moved.statement);
    if (moved.statement.getSourceFile() !== home) return `the code a session's end ran (${moved.statement.getText().split('\n')[0]}) is in another module than the tools; move it into ${names.scope}'s cleanup by hand`;
  }
  // State a finer handle could not take (and marked) is now keyed by the session's id: its marker goes.
  for (const state of new Set(reads.flatMap((read) => (read.keyOf ? [read.keyOf] : [])))) removeMarkersNaming(editsOf(state.declaration.getSourceFile()), [state.name], ['SL003']);
  const exported = tools.some((r) => r.call.getSourceFile() !== home) || reads.some((read) => read.node.getSourceFile() !== home);
  const style = styleOf(home, model.files.find((info) => info.sourceFile === home)?.sdk, options);
  const labels = [...new Set(tools.map((r) => toolNameOf(r) ?? `the tools registered as ${r.label}`))];
  const dynamic = tools.some((r) => !toolNameOf(r));
  const u = style.unit;
  const definition = [
    `/** What the tools kept per MCP session, now kept per ${names.idParam}: ${names.creator}() starts one, and the tools that used the session take its id. */`,
    `${exported ? 'export ' : ''}const ${names.scope} = defineScope({`,
    `${u}name: ${str(style, noun)},`,
    `${u}idParam: ${str(style, names.idParam)},`,
    `${u}creator: ${str(style, names.creator)},`,
    `${u}destroyer: ${str(style, names.destroyer)},`,
    `${u}summary: ${str(style, `Start a ${noun}: what the tools keep between calls is kept under its id`)},`,
    `${u}ttlSeconds: ${ttlText(options.ttlSeconds)},`,
    `${u}tools: ${dynamic ? str(style, 'all') : `[${labels.map((t) => str(style, t)).join(', ')}]`},`,
    `${u}init: () => (${opening ? `{ ${openingRecord(opening)} }` : '{}'}),`,
    ...(ending.length > 0 ? [`${u}cleanup: () => {`, ...ending.map((moved) => `${u}${u}${moved.text}`), `${u}},`] : []),
    `});`,
  ].join('\n');
  editsOf(home).insert(aboveTopLevel(definitionAnchor(tools, home, tools[0]!.call)), `${definition}\n\n`);
  // After the definition: top-level code wireTools adds at the same place (FastMCP's wrapAddTool) runs after it.
  const failed = wireTools(tools, names, home, { model, options, paths: scopePaths, editsOf, imports });
  if (failed) return failed;
  imports.apply(editsOf, options);
  const first = reads[0]!.node;
  return {
    home,
    tools,
    result: {
      pattern: 'P3',
      rule: 'SL001',
      state: 'the MCP session id',
      file: relativeOf(first.getSourceFile()),
      line: first.getStartLineNumber(),
      summary: `what ${toolList(labels)} kept per MCP session is kept per ${names.idParam} (${names.creator}() starts one${opening ? `, opening the application's session with ${opening}` : ''})`,
    },
  };
}

/**
 * A read of the session id the server keys what it keeps by: in a tool call (`extra.sessionId`), reaching
 * something, not a task's scope (tasks are the SDK's). This runs after the finer rewrites, so a read that keys a
 * state of theirs is still here only where they declined it.
 */
function keysState(read: SessionIdRead): boolean {
  if (read.source !== 'context' || read.leadsNowhere || read.by.length === 0) return false;
  // A timer per session that pushes outside any request has no channel sessionless: an id cannot fix it, its marker stays.
  if (read.keyOf?.push) return false;
  if (!read.by.every((r) => r.kind === 'tool')) return false;
  // State the session's own code fills or reads (who signed in, set in onsessioninitialized; an elicitation the
  // session's start sends) is keyed by the transport's session id there: a handle id cannot stand in. Removing an
  // entry when the session ends is fine: that code moves to the scope's cleanup.
  const outside = read.keyOf?.accesses.filter((a) => !a.by.some((r) => r.kind === 'tool')) ?? [];
  if (outside.some((a) => a.mode === 'read' || a.alsoReads || (a.value !== undefined && !a.reset))) return false;
  if (!Node.isPropertyAccessExpression(read.node) || read.node.getName() !== 'sessionId') return false;
  // The application's copy follows from the read that filled it.
  if (readsOwnCopy(read.node)) return false;
  const call = read.node.getParent();
  if (call && Node.isCallExpression(call) && call.getArguments().includes(read.node)) {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee) && SESSION_SCOPED_TASK_CALLS.includes(callee.getName())) return false;
  }
  return true;
}

/**
 * What the server ran when a session ended (`onsessionclosed: (id) => { delete transports[id]; dropNotes(id); }`),
 * apart from tending its transports: it now runs when a session_id ends (destroyed or expired), with that id (or the
 * application session its record opened).
 */
function sessionEndCode(model: ServerModel, idText: string): Array<{ statement: Node; text: string }> {
  const maps = new Set(model.states.filter((state) => state.holdsTransports).map((state) => state.name));
  const out: Array<{ statement: Node; text: string }> = [];
  for (const transport of model.transports) {
    for (const callback of transport.callbacks) {
      if (!Node.isPropertyAssignment(callback) && !Node.isMethodDeclaration(callback)) continue;
      if (callback.getName() !== 'onsessionclosed') continue;
      const fn = Node.isPropertyAssignment(callback) ? callback.getInitializer() : callback;
      if (!fn || !(Node.isArrowFunction(fn) || Node.isFunctionExpression(fn) || Node.isMethodDeclaration(fn))) continue;
      const body = fn.getBody();
      const param = fn.getParameters()[0]?.getNameNode();
      if (!body || !Node.isBlock(body) || !param || !Node.isIdentifier(param)) continue;
      for (const statement of body.getStatements()) {
        const names = statement.getDescendantsOfKind(SyntaxKind.Identifier).map((id) => id.getText());
        if (names.some((name) => maps.has(name) || /transport/i.test(name))) continue;
        const text = statement.getText().replace(new RegExp(`\\b${param.getText()}\\b`, 'g'), idText);
        out.push({ statement, text });
      }
    }
  }
  return out;
}

/**
 * Handler context parameters (`extra`, `context`) read only for the session id: with those reads gone they are
 * unused, and a project with noUnusedParameters would fail to compile until they say so (`_context`).
 */
function contextsLeftUnused(reads: readonly SessionIdRead[]): ParameterDeclaration[] {
  const replaced = reads.map((read) => withFallback(read.node));
  const found = new Set<ParameterDeclaration>();
  for (const read of reads) {
    const receiver = Node.isPropertyAccessExpression(read.node) ? unwrap(read.node.getExpression()) : undefined;
    const declaration = receiver && Node.isIdentifier(receiver) ? declarationOf(receiver) : undefined;
    if (!declaration || !Node.isParameterDeclaration(declaration) || !Node.isIdentifier(declaration.getNameNode()) || declaration.getName().startsWith('_')) continue;
    if (referencesTo(declaration).every((ref) => replaced.some((node) => node.getStart() <= ref.getStart() && ref.getEnd() <= node.getEnd()))) found.add(declaration);
  }
  return [...found];
}

/** `extra.sessionId || fallback`: a session's id is always there, so the fallback goes with the read. */
function withFallback(read: Node): Node {
  // `ctx.sessionId!`: the id is always there now, so the assertion goes too.
  const value = read.getParent() && Node.isNonNullExpression(read.getParent()!) ? read.getParent()! : read;
  const parent = value.getParent();
  return parent && Node.isBinaryExpression(parent) && parent.getLeft() === value && ['||', '??'].includes(parent.getOperatorToken().getText()) ? parent : value;
}

function sessionNames(noun: string, home: SourceFile, options: HandleOptions, toolNames: ReadonlySet<string>): LifecycleNames {
  const free = (base: string) => {
    let name = base;
    for (let i = 2; toolNames.has(name); i++) name = `${base}_${i}`;
    return name;
  };
  return {
    scope: freeLocalName(`${noun}s`, [home]),
    idParam: `${noun}_id`,
    creator: free(options.creatorTemplate.replace('{thing}', noun)),
    destroyer: free(options.destroyTemplate.replace('{thing}', noun)),
  };
}
