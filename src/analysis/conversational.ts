/**
 * The one verdict on module state that tools keep between calls, shared by the audit and the transforms:
 * whether it is a conversation's state (a browser page, a working directory, what a tool set for the calls
 * after it) or state the server shares across every client on purpose (a pool, a cache, its configuration).
 */
import { Node, SyntaxKind } from 'ts-morph';
import { CONVERSATIONAL_CREATORS, CONVERSATIONAL_NAMES, RELEASE_METHODS, SHARED_WORDS } from '../rules/scope-state.js';
import type { StateVariable } from './model.js';
import { enclosingFunction, projectClassBuilt } from './syntax.js';

/** `cachedChromePath` → cached, chrome, path. */
function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());
}

/** Whether a name says the state is shared by every client on purpose. */
export function isSharedByName(name: string): boolean {
  return wordsOf(name).some((word) => SHARED_WORDS.has(word));
}

/** The state's own name and, for a class field, its class's name. */
function namesOf(state: StateVariable): string[] {
  const owner = state.ownerClass && Node.isClassDeclaration(state.ownerClass) ? state.ownerClass.getName() : undefined;
  return owner ? [state.name, owner] : [state.name];
}

/**
 * Whether state is shared by every client on purpose, so neither a finding nor a handle: its name says so
 * (a pool, a cache, the configuration), or its use does (an id counter, a file-backed log, a per-call flag:
 * see purpose.ts).
 */
export function isSharedState(state: StateVariable): boolean {
  if (state.sharedPurpose !== undefined || writesOnlyThroughSharedMembers(state)) return true;
  // A name is no excuse where a tool sets the value from what its caller passed (`connect_db` setting `config`).
  return namesOf(state).some(isSharedByName) && !setFromToolArguments(state);
}

/**
 * An object the tools change only through members shared by name (`ctx.cache?.set(url, html)` on a context that
 * also hands out a logger and a tab registry): what changes is the cache, the server's, not a conversation's.
 */
function writesOnlyThroughSharedMembers(state: StateVariable): boolean {
  const writes = state.accesses.filter((access) => access.mode === 'write');
  return (
    writes.length > 0 &&
    writes.every((access) => {
      const member = access.node.getParent();
      return member !== undefined && Node.isPropertyAccessExpression(member) && member.getExpression() === access.node && isSharedByName(member.getName());
    })
  );
}

/** A tool sets it from what its caller passed; an id minted for the call (a request id a logger keeps) is no such value. */
function setFromToolArguments(state: StateVariable): boolean {
  return state.accesses.some((access) => access.mode === 'write' && access.op === 'assign' && access.valueFromInput === true && !access.valueMinted && !access.lazyInit && access.by.some((r) => r.kind === 'tool'));
}

/**
 * Module state created lazily and shared by the tools (`if (!page) page = await browser.newPage()`) that is
 * nonetheless a conversation's: the value carries what earlier calls did (the URL navigated to).
 */
export function isConversationalLazyValue(state: StateVariable): boolean {
  if (state.kind !== 'module' || state.dependence !== 'lazy-global' || isSharedState(state)) return false;
  if (CONVERSATIONAL_NAMES.some((test) => test.test(state.name))) return true;
  // A tool resets it (`restart_kernel` → `kernel = undefined`), apart from the code that makes it (an
  // in-flight lookup clears itself when done): the conversation decides when it starts over.
  // A reset right after releasing the value (`await browser?.close(); browser = undefined`) tears down a shared
  // resource instead.
  const makers = state.accesses.filter((access) => access.lazyInit).map((access) => enclosingFunction(access.node));
  const restarted = state.accesses.some((access) => {
    if (access.mode !== 'write' || access.reset !== true || !access.by.some((r) => r.kind === 'tool')) return false;
    const fn = enclosingFunction(access.node);
    return !makers.includes(fn) && !(fn && releases(fn, state.name));
  });
  if (restarted) return true;
  return state.accesses.some((access) => access.value !== undefined && (CONVERSATIONAL_CREATORS.some((test) => test.test(access.value!.getText())) || holdsConversation(access.value)));
}

/**
 * `new BrowserManager()` whose class keeps a page in its fields (`private page: Page | null`, set from
 * `context.newPage()`): the object carries what the calls did to that page, like the page itself.
 */
function holdsConversation(value: Node): boolean {
  const declaration = projectClassBuilt(value);
  if (!declaration) return false;
  return declaration.getProperties().some((field) => {
    if (isSharedByName(field.getName())) return false;
    if (CONVERSATIONAL_NAMES.some((test) => test.test(field.getName()))) return true;
    return declaration
      .getDescendantsOfKind(SyntaxKind.BinaryExpression)
      .some((assignment) => assignment.getLeft().getText() === `this.${field.getName()}` && CONVERSATIONAL_CREATORS.some((test) => test.test(assignment.getRight().getText())));
  });
}

/**
 * The one verdict on state tools keep between calls (session-keyed state aside), shared by the audit and every
 * transform: it carries a conversation when some tool reads what a tool left in it (or it is a lazily created
 * page, shell or working directory tools use), and it is not the server's own on purpose. The audit reports
 * exactly these; the transforms give handles to, or mark, only these.
 */
/** A field of the records a registry keeps under ids the caller passes (a terminal's output buffer): that record's, not a conversation's. */
export function heldByRegistry(state: StateVariable): boolean {
  return state.heldBy !== undefined && (state.heldBy.explicitIds === true || state.heldBy.dependence === 'handle-store');
}

export function carriesConversation(state: StateVariable): boolean {
  // An explicit-id registry is no one conversation's: its ids are handles already (see StateVariable.explicitIds).
  if (state.holdsTransports || state.holdsUpstreams || state.explicitIds || readersOf(state).length === 0 || isSharedState(state)) return false;
  return state.dependence === 'implicit' || isConversationalLazyValue(state);
}

/** Handlers that serve what tools left to a reader other than a tool: a resource's contents, a prompt. */
const CONTENT_READERS = new Set(['resources/read', 'prompts/get']);

/** Who reads the state: tools, resources and prompts registered as such, and low-level read handlers. */
export function readersOf(state: StateVariable): string[] {
  const others = state.accesses.flatMap((a) => (a.mode === 'read' || a.alsoReads ? a.byOther.filter((label) => CONTENT_READERS.has(label)) : []));
  return [...new Set([...state.readers, ...others])];
}

/** Whether a function releases the value named `name` (`browser.close()`, `await client?.disconnect()`). */
function releases(fn: Node, name: string): boolean {
  return fn.getDescendantsOfKind(SyntaxKind.CallExpression).some((call) => {
    const callee = call.getExpression();
    return Node.isPropertyAccessExpression(callee) && RELEASE_METHODS.includes(callee.getName()) && callee.getExpression().getText() === name;
  });
}
