/**
 * Detectors: rules over the ServerModel that turn its facts into findings. Each detector reads the model only;
 * what a finding means (rule, pattern, fix, wording) comes from CATALOG.
 */
import { carriesConversation, heldByRegistry, isSharedState, readersOf } from '../analysis/conversational.js';
import { Node, SyntaxKind } from 'ts-morph';
import type { ListMutation, ServerModel, StateVariable } from '../analysis/index.js';
import { locationOf } from '../analysis/index.js';
import { AUTH_NAMES, SELECTION_NAMES, SETTER_VERBS } from '../analysis/vocabulary.js';
import { RULES, SEVERITY_OF_LEVEL, type RuleId } from '../rules/rules.js';
import { ROOTS_GROUP } from '../rules/context-sdk.js';
import { sessionPush } from '../rules/marker-messages.js';
import { SESSION_SCOPED_TASK_CALLS } from '../rules/sdk.js';
import { CATALOG } from './catalog.js';
import { ROUTING_PLUMBING, servedPerConnection } from '../analysis/served.js';
import { sharedServerConnects } from './shared-server.js';
import type { Finding, FindingKind, FixedBy, SurveyCategory } from './types.js';

interface Draft {
  kind: FindingKind;
  node: Node;
  state?: string;
  readers?: readonly string[];
  writers?: readonly string[];
  /** Writers named in the message, when narrower than `writers` (tools that only reset the state are left out). */
  setters?: readonly string[];
  group?: string;
  heldBy?: string;
  detail?: string;
  rule?: RuleId;
  pattern?: Finding['pattern'];
  fixedBy?: FixedBy;
  category?: SurveyCategory;
}

/** Plumbing kinds that show the session id is routed on (anything beyond a bare generator). */


export function detectFindings(model: ServerModel): Finding[] {
  const drafts: Draft[] = [];
  const sessionful = servedPerConnection(model);
  const processScope: Partial<Draft> = { rule: 'SL006', fixedBy: 'process-state-to-handles', category: 'process-lifetime-state' };

  const holders = new Set(model.states.flatMap((state) => (state.heldBy && carriesConversation(state.heldBy) ? [rootHolder(state)] : [])));
  for (const state of model.states) drafts.push(...(state.push ? [pushFinding(state, model.states)] : stateFindings(state, sessionful, processScope, holders)));

  const contextReads = model.sessionIdReads.filter((r) => r.source === 'context');
  const sseFiles = new Set(model.plumbing.filter((p) => p.kind === 'sse-transport').map((p) => p.file));
  for (const read of contextReads) {
    if (read.keyOf) continue;
    // `/messages?sessionId=`: the HTTP+SSE transport's own routing, part of that transport's decision.
    if (sseFiles.has(read.file) && /\b(?:req|request)\.query$/.test(unwrapRead(read.node))) continue;
    // Printed to the server's own console, or handed to parameters and fields nothing reads: nothing depends on it.
    if (read.leadsNowhere) continue;
    const sdk = model.files.find((info) => info.file === read.file)?.sdk;
    // The reads one handler makes are one change there: by the tools it serves, else by the function.
    const group = contextHandlerGroup(model, read.node) ?? (read.by.length === 0 ? functionKey(read.node) : undefined);
    drafts.push({ kind: 'session-id-read', node: read.node, readers: labels(read.by), detail: sessionIdReadDetail(read.node, sdk), ...(group ? { group } : {}) });
  }

  const generatorOnly =
    !model.plumbing.some((p) => ROUTING_PLUMBING.has(p.kind)) &&
    contextReads.length === 0 &&
    !model.states.some((s) => s.dependence === 'session-keyed');
  for (const site of model.plumbing) {
    switch (site.kind) {
      case 'transport-map':
        drafts.push({ kind: 'transport-map', node: nameOf(site.node), state: site.detail });
        break;
      case 'session-id-generator':
        drafts.push({ kind: generatorOnly ? 'unused-session-id-generator' : 'session-id-generator', node: site.node });
        break;
      case 'session-callback':
        drafts.push({ kind: 'session-callback', node: site.node, detail: site.detail });
        break;
      case 'session-header-read':
        drafts.push({ kind: 'session-header', node: site.node, detail: 'reads' });
        break;
      case 'session-header-write':
        drafts.push({ kind: 'session-header', node: site.node, detail: 'sets' });
        break;
      case 'session-header-forward':
        drafts.push({ kind: 'gateway-header-forward', node: site.node });
        break;
      case 'initialize-routing':
        drafts.push({ kind: 'initialize-routing', node: site.node });
        break;
      case 'session-error':
        drafts.push({ kind: 'session-error', node: site.node, detail: `"${truncate(literal(site.node), 48)}"` });
        break;
      case 'session-route':
        drafts.push({ kind: 'session-route', node: site.node, detail: site.detail });
        break;
      case 'sse-transport':
        drafts.push({ kind: 'sse-transport', node: site.node });
        break;
      case 'framework-sessions':
        drafts.push({ kind: 'framework-sessions', node: site.node, detail: site.detail });
        break;
      default:
        break; // event stores and transport.sessionId reads go with the plumbing above
    }
  }

  for (const shared of sharedServerConnects(model)) drafts.push({ kind: 'shared-server-connect', node: shared.call, state: shared.server });
  for (const call of model.unsolicitedRequests) drafts.push({ kind: 'unsolicited-request', node: call, detail: calleeName(call) });

  drafts.push(...listFindings(model, sessionful ? {} : { category: 'process-lifetime-state' }));
  drafts.push(...derivedListFindings(model, sessionful ? {} : { category: 'process-lifetime-state' }));

  for (const site of model.clientContext) {
    const scope: Partial<Draft> = sessionful ? {} : { category: 'process-lifetime-state' };
    // Capabilities and client info are read per request on both lines (v1 through the request's _meta);
    // the log level and subscriptions only on v2. The verdict keeps the promise only where migrate keeps it.
    const automated = ['capabilities', 'version'].includes(site.kind) || (site.sdk === 'v2' && ['log-level', 'subscriptions'].includes(site.kind));
    if (site.use === 'cached') {
      // Kept subscriptions and log levels go with the session id reads of their handlers; a capability read
      // while registering goes with the registrations of the same function.
      const group = CONTEXT_GROUPS[site.kind] ?? functionKey(site.node);
      drafts.push({ kind: 'client-context', node: site.node, state: site.state, readers: labels(site.by), detail: cachedDetail(site.kind, site.state), fixedBy: automated ? 'per-request-context' : 'manual', ...scope, ...(group ? { group } : {}) });
    } else if (site.use === 'per-call' && site.sdk !== 'v2') {
      // On v1 the accessors answer from the connection's initialize wherever they are called (a handler, or a
      // class the tools reach through calls the analysis cannot follow); 2026-07-28 clients send none.
      const what = site.kind === 'roots' ? 'listRoots() asks the client over the session\'s standalone stream' : `${site.kind === 'capabilities' ? 'getClientCapabilities()' : 'getClientVersion()'} returns what initialize negotiated on this connection`;
      drafts.push({ kind: 'client-context', node: site.node, readers: labels(site.by), detail: what, fixedBy: automated ? 'per-request-context' : 'manual', ...scope });
    }
  }

  return finalize(drafts);
}

function stateFindings(state: StateVariable, sessionful: boolean, processScope: Partial<Draft>, holders: ReadonlySet<StateVariable>): Draft[] {
  const setters = [...new Set(state.accesses.filter((a) => a.mode === 'write' && !a.reset).flatMap((a) => a.by.map((r) => r.label)))];
  // A field of an object other state holds goes with that state (a Tab's fields with the Context holding its tabs).
  const held = state.heldBy && carriesConversation(state.heldBy) ? rootHolder(state) : undefined;
  const group = held ? groupOf(held) : state.kind === 'class-field' || holders.has(state) ? groupOf(state) : undefined;
  const base = { node: nameOf(state.declaration), state: stateLabel(state), readers: readersOf(state), writers: state.writers, setters: setters.length ? setters : undefined, group, heldBy: held && state.heldBy ? stateLabel(state.heldBy) : undefined };
  if (state.dependence === 'session-keyed') {
    if (state.holdsUpstreams) return [{ ...base, kind: 'gateway-upstream-map' }];
    if (isAuthState(state)) return [{ ...base, kind: 'auth-bound-to-session' }];
    // Keyed by session, only the name makes it a selection: a setter tool alone is ordinary per-session data.
    if (SELECTION_NAMES.test(state.name)) return [{ ...base, kind: 'selection-state' }];
    // Roots a client listed, kept per session: decided with the requests that ask for them (decisions.ts).
    if (state.holdsRoots) return [{ ...base, kind: 'session-keyed-state', group: ROOTS_GROUP, rule: 'SL005', pattern: 'P9', fixedBy: 'manual', detail: state.sessionKey ? ` (${state.sessionKey.getText()})` : '' }];
    return [{ ...base, kind: 'session-keyed-state', detail: state.sessionKey ? ` (${state.sessionKey.getText()})` : '' }];
  }
  if (heldByRegistry(state)) return [];
  // Served over stdio only, the object built per connection is built once per process: the registry lives as long.
  if (state.explicitIds && !sessionful) return [];
  if (state.explicitIds && !isSharedState(state) && readersOf(state).length > 0) {
    const detail = state.kind === 'factory-closure' ? `the server factory${state.factory?.name ? ` \`${state.factory.name}\`` : ''}, one per connection` : `${state.ownerClass?.getName() ? `\`${state.ownerClass.getName()}\` objects` : 'objects'} built per connection`;
    return [{ ...base, kind: 'explicit-id-registry', detail }];
  }
  if (!carriesConversation(state)) return [];
  // A lazily created browser page or shell carries a conversation like any value a tool sets.
  if (state.dependence !== 'implicit') return [{ ...base, kind: 'process-state' }];
  const perSession =
    state.kind === 'factory-closure'
      ? sessionful || state.factory?.invocation === 'per-request' || state.factory?.invocation === 'per-session'
      : state.kind === 'class-field'
        ? state.perConnectionClass === true && sessionful
        : false;
  const scope: Partial<Draft> = perSession ? {} : processScope;
  if (isSelection(state)) return [{ ...base, kind: 'selection-state', ...scope }];
  if (state.kind === 'module' || (state.kind === 'class-field' && !state.perConnectionClass)) return [{ ...base, kind: 'process-state' }];
  if (state.kind === 'factory-closure') {
    const invocation = state.factory?.invocation;
    const detail = invocation === 'per-request' ? ' and silently resets on every request (the factory runs per request)' : invocation === 'per-session' ? ' (one server per session)' : '';
    return [{ ...base, kind: 'factory-closure-state', detail, ...(perSession ? {} : { rule: 'SL006', category: 'process-lifetime-state' }) }];
  }
  const owner = state.ownerClass?.getName() ? `\`${state.ownerClass.getName()}\`` : 'an object';
  const detail = perSession ? `${owner}, built per connection` : `${owner}, kept for the whole process and shared by every client`;
  return [{ ...base, kind: 'class-field-state', detail, ...(perSession ? {} : { rule: 'SL006', category: 'process-lifetime-state' }) }];
}

/** A per-session push: one decision for its timers and what is switched with them, at the timers. */
function pushFinding(state: StateVariable, states: readonly StateVariable[]): Draft {
  const push = state.push!;
  const others = states.filter((s) => s.push === push && s !== push.timers).map((s) => `${s.name} in ${s.file}`);
  return {
    kind: 'session-push',
    node: nameOf(state.declaration),
    state: stateLabel(state),
    readers: readersOf(state),
    writers: state.writers,
    group: `push:${push.timers.name} (${push.timers.file})`,
    detail: sessionPush(push.timers.name, push.sends, push.tools, others),
  };
}

/** The state at the top of a chain of holders (a Tab held by a Context field). */
function rootHolder(state: StateVariable): StateVariable {
  let current = state;
  for (let i = 0; i < 6 && current.heldBy && carriesConversation(current.heldBy); i++) current = current.heldBy;
  return current;
}

/** The group a state's findings are decided in: its class for a field, else the variable and its file. */
function groupOf(state: StateVariable): string | undefined {
  if (state.kind === 'class-field') return state.ownerClass && Node.isClassDeclaration(state.ownerClass) ? state.ownerClass.getName() : undefined;
  return `${stateLabel(state)} (${state.file})`;
}

/** The state a finding names: the variable, or `this.field` for class fields. */
function stateLabel(state: StateVariable): string {
  return state.kind === 'class-field' ? `this.${state.name}` : state.name;
}

/** "Current selection" state: set by a setter-named tool, or named like a selection. */
function isSelection(state: StateVariable): boolean {
  if (SELECTION_NAMES.test(state.name)) return true;
  const constantKeys = state.accesses.filter((a) => a.mode === 'write' && a.keyOrigin === 'constant' && a.key).map((a) => a.key?.getText() ?? '');
  if (constantKeys.some((key) => SELECTION_NAMES.test(key.replace(/^['"`]|['"`]$/g, '')))) return true;
  // Every tool that sets it (resets such as `disconnect` aside) is a setter: `use_database`, `select_tab`.
  const setters = new Set(state.accesses.filter((a) => a.mode === 'write' && !a.reset).flatMap((a) => a.by.map((r) => r.label)));
  return setters.size > 0 && [...setters].every(isSetterName);
}

function isSetterName(name: string): boolean {
  const words = name.split(/[_\-\s.]|(?=[A-Z])/).filter(Boolean).map((w) => w.toLowerCase());
  if (words.some((w) => w === 'cd' || w === 'chdir')) return true;
  return SETTER_VERBS.includes(words[0] ?? '') && words.length > 1;
}

/** Who-the-caller-is bound to a session: the map's name, or what is stored in it, says auth. */
function isAuthState(state: StateVariable): boolean {
  if (AUTH_NAMES.test(state.name)) return true;
  return state.accesses.some((a) => a.mode === 'write' && a.value !== undefined && /\bauth(?:Info)?\b|\.auth\b|token/i.test(a.value.getText()));
}

function listFindings(model: ServerModel, scope: Partial<Draft>): Draft[] {
  const drafts: Draft[] = [];
  const triggered = (m: ListMutation) => m.triggeredBy.length > 0 || m.triggeredByOther.length > 0;
  const toggledLater = new Set(model.listMutations.filter((m) => m.kind === 'toggle' && triggered(m) && m.target).map((m) => m.target));
  for (const mutation of model.listMutations) {
    const writers = [...labels(mutation.triggeredBy), ...mutation.triggeredByOther];
    const pattern = mutation.list === 'resource' ? 'P8' : 'P4';
    if (mutation.kind === 'toggle') {
      if (!triggered(mutation) && !(mutation.target && toggledLater.has(mutation.target))) continue;
      const receiver = Node.isCallExpression(mutation.node) ? mutation.node.getExpression().getText() : mutation.method ?? '';
      const where = writers.length ? ` in ${writers.join(', ')}` : ' at startup';
      drafts.push({ kind: 'list-toggle', node: mutation.node, state: mutation.target?.label ?? receiver.replace(/\.\w+$/, ''), writers, detail: `${receiver}()${where}`, pattern, group: functionKey(mutation.node), ...scope });
    } else if (mutation.kind === 'register-in-handler') {
      // A resource a call creates under a name it computes cannot be registered up front: a template can serve it.
      const computed = mutation.list === 'resource' && mutation.target !== undefined && mutation.target.name === undefined;
      const detail = computed ? 'register a ResourceTemplate up front whose read callback serves what the calls store, and return a resource_link from the call' : 'register it up front';
      drafts.push({ kind: 'register-in-handler', node: mutation.node, state: mutation.target?.label, writers, detail, pattern, group: functionKey(mutation.node), ...scope });
    } else if (triggered(mutation)) {
      drafts.push({ kind: 'list-changed', node: mutation.node, writers, detail: mutation.list, pattern, ...scope });
    }
  }
  return drafts;
}

/** The function a list change is made in, as a key: its changes are made (or not) together. */
function functionKey(node: Node): string | undefined {
  const fn = node.getFirstAncestor((a) => Node.isFunctionDeclaration(a) || Node.isFunctionExpression(a) || Node.isArrowFunction(a) || Node.isMethodDeclaration(a));
  if (!fn) return undefined;
  const holder = fn.getParent();
  const name = Node.isFunctionDeclaration(fn) || Node.isMethodDeclaration(fn) ? fn.getName() : holder && Node.isVariableDeclaration(holder) ? holder.getName() : undefined;
  return `${name ?? 'the function'} at line ${fn.getStartLineNumber()}`;
}

/** resources/list (or a template's list callback) enumerating state that tools write. */
function derivedListFindings(model: ServerModel, scope: Partial<Draft>): Draft[] {
  const drafts: Draft[] = [];
  for (const state of model.states) {
    if (state.writers.length === 0 || !['implicit', 'handle-store', 'session-keyed'].includes(state.dependence)) continue;
    const read = state.accesses.find((a) => a.mode === 'read' && a.byOther.includes('resources/list'));
    if (!read) continue;
    drafts.push({ kind: 'derived-resource-list', node: read.node, state: stateLabel(state), readers: ['resources/list'], writers: state.writers, ...scope });
  }
  return drafts;
}

/** The receiver of a `x.sessionId` read (`req.query`), as text. */
function unwrapRead(read: Node): string {
  return Node.isPropertyAccessExpression(read) ? read.getExpression().getText() : '';
}

/** Per-connection client context whose handlers read the session id only to keep it per session: one decision each. */
const CONTEXT_GROUPS: Readonly<Partial<Record<string, string>>> = { subscriptions: 'resource subscriptions', 'log-level': 'the log level' };
const HANDLER_GROUPS: Readonly<Partial<Record<string, string>>> = { subscribe: 'resource subscriptions', unsubscribe: 'resource subscriptions', 'set-level': 'the log level' };

/** The client-context decision a session id read belongs to: it sits in a subscribe, unsubscribe or setLevel handler. */
function contextHandlerGroup(model: ServerModel, read: Node): string | undefined {
  const handler = model.requestHandlers.find((h) => HANDLER_GROUPS[h.role] && read.getAncestors().includes(h.call));
  return handler ? HANDLER_GROUPS[handler.role] : undefined;
}

/**
 * What the read is for, when the next step follows from it: on v1, the session id passed to `sendLoggingMessage`
 * only addresses the log message to this session, which the request's own `sendNotification` does.
 */
function sessionIdReadDetail(read: Node, sdk: string | undefined): string {
  const text = read.getText();
  const call = read.getParent();
  if (sdk === 'v1' && call && Node.isCallExpression(call) && call.getArguments().includes(read)) {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee) && callee.getName() === 'sendLoggingMessage') {
      const context = Node.isPropertyAccessExpression(read) ? read.getExpression().getText() : 'extra';
      return ` (${text}) to address a log message; send it on the request instead: ${context}.sendNotification({ method: 'notifications/message', params })`;
    }
  }
  if (call && Node.isCallExpression(call) && call.getArguments().includes(read)) {
    const callee = call.getExpression();
    if (Node.isPropertyAccessExpression(callee) && SESSION_SCOPED_TASK_CALLS.includes(callee.getName())) {
      return ` (${text}) to keep each session's tasks to itself; sessionless requests carry none, so any caller holding a task id reaches the task: scope tasks by the caller's principal instead, or accept that a task id is the only key`;
    }
  }
  const guard = refusedWithout(read);
  if (guard) return ` (${text}) and refuses the call without one (${guard}); sessionless requests carry none, so the call always fails: drop the check and what it guards, or check what the call really needs`;
  // Only shown (`${ctx.sessionId ?? 'none'}` in a message): the code already copes without one; what to show is a choice.
  let shown: Node = read;
  while (shown.getParent() && Node.isNonNullExpression(shown.getParent()!)) shown = shown.getParent()!;
  const fallback = shown.getParent();
  if (fallback && Node.isBinaryExpression(fallback) && fallback.getLeft() === shown && ['??', '||'].includes(fallback.getOperatorToken().getText()) && Node.isTemplateSpan(fallback.getParent())) {
    return ` (${text}) only to show it; sessionless requests carry none, so it always shows ${fallback.getRight().getText()}: drop it from the output or show something the request carries`;
  }
  return ` (${text}); sessionless requests carry none`;
}

/** `const id = extra.sessionId; if (!id) throw new Error('…')`: the thrown message, when the read is such a guard's subject. */
function refusedWithout(read: Node): string | undefined {
  const declaration = read.getParent();
  if (!declaration || !Node.isVariableDeclaration(declaration) || declaration.getInitializer() !== read) return undefined;
  const name = declaration.getName();
  const statement = declaration.getVariableStatement();
  const next = statement?.getNextSibling();
  if (!next || !Node.isIfStatement(next)) return undefined;
  const condition = next.getExpression();
  if (!Node.isPrefixUnaryExpression(condition) || condition.getOperand().getText() !== name) return undefined;
  const thrown = next.getThenStatement().getFirstDescendantByKind(SyntaxKind.ThrowStatement);
  if (!thrown) return undefined;
  const message = thrown.getFirstDescendantByKind(SyntaxKind.StringLiteral)?.getLiteralText();
  return message ? `'${message}'` : 'it throws';
}

function cachedDetail(kind: string, state: string | undefined): string {
  const where = state ? ` in ${state}` : '';
  switch (kind) {
    case 'capabilities':
      return `client capabilities are kept from initialize${where}`;
    case 'version':
      return `client info is kept from initialize${where}`;
    case 'roots':
      return `roots are fetched once per connection${where}`;
    case 'log-level':
      return `the log level from logging/setLevel is kept per connection${where}`;
    default:
      return `resource subscriptions are kept per connection${where}`;
  }
}

function labels(registrations: ReadonlyArray<{ label: string }>): string[] {
  return [...new Set(registrations.map((r) => r.label))];
}

/** Point at a declaration's name rather than its first keyword. */
function nameOf(node: Node): Node {
  if (Node.isVariableDeclaration(node) || Node.isPropertyDeclaration(node)) return node.getNameNode();
  if (Node.isBinaryExpression(node)) {
    const left = node.getLeft();
    return Node.isPropertyAccessExpression(left) ? left.getNameNode() : left;
  }
  return node;
}

function literal(node: Node): string {
  if (Node.isStringLiteral(node) || Node.isNoSubstitutionTemplateLiteral(node)) return node.getLiteralText();
  if (Node.isTemplateExpression(node)) return `${node.getHead().getLiteralText()}…`;
  return node.getText();
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}


function finalize(drafts: readonly Draft[]): Finding[] {
  const seen = new Set<string>();
  const out: Finding[] = [];
  for (const draft of drafts) {
    const entry = CATALOG[draft.kind];
    const at = locationOf(draft.node);
    const key = `${draft.kind}:${at.file}:${at.line}:${at.column}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const rule = draft.rule ?? entry.rule;
    const readers = [...(draft.readers ?? [])];
    const writers = [...(draft.writers ?? [])];
    const fill: Record<string, string> = {
      state: draft.state ?? 'this state',
      readers: readers.length ? readers.join(', ') : 'no tool',
      writers: (draft.setters ?? writers).length ? (draft.setters ?? writers).join(', ') : 'no tool',
      detail: draft.detail ?? '',
    };
    const finding: Finding = {
      rule,
      pattern: draft.pattern ?? entry.pattern,
      kind: draft.kind,
      severity: SEVERITY_OF_LEVEL[RULES[rule].level],
      file: at.file,
      line: at.line,
      column: at.column,
      readers,
      writers,
      message: entry.message.replace(/\{(\w+)\}/g, (_, name: string) => fill[name] ?? ''),
      fixedBy: draft.fixedBy ?? entry.fixedBy,
      category: draft.category ?? entry.category,
    };
    if (draft.state) finding.state = draft.state;
    if (draft.group) finding.group = draft.group;
    if (draft.heldBy) finding.heldBy = draft.heldBy;
    out.push(finding);
  }
  return out.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule));
}

/** `createMessage` of `mcpServer.server.createMessage(…)`. */
function calleeName(call: Node): string {
  const callee = Node.isCallExpression(call) ? call.getExpression() : call;
  return Node.isPropertyAccessExpression(callee) ? callee.getName() : callee.getText();
}
