/**
 * Words the static-lists transform writes into migrated code (tool errors, descriptions) and into
 * markers. Kept as data so wording is reviewed in one place and tests can refer to it.
 */

/** Text of the tool error (or thrown error) a gated tool answers before its precondition holds. */
export function gateError(gated: string, by: string, positive: boolean): string {
  return positive ? `${gated} is not available yet: call ${by} first.` : `${gated} is no longer available once ${by} has been called.`;
}

/** Sentence appended to the gated tool's description. */
export function gateDescription(by: string, positive: boolean): string {
  return positive ? `Requires calling ${by} first.` : `Not available after ${by} has been called.`;
}

/** Join a sentence onto an existing description. */
export function withSentence(description: string, sentence: string): string {
  const trimmed = description.trimEnd();
  if (trimmed === '') return sentence;
  return /[.!?:]$/.test(trimmed) ? `${trimmed} ${sentence}` : `${trimmed}. ${sentence}`;
}

export const MARKERS = {
  toggleShape: (name: string, method: string) =>
    `${name} changes with ${method}() while serving a call, so the list differs between clients and over time; register its final shape up front and check the precondition when it is called`,
  noCondition: (name: string, by: string | undefined) =>
    `${name} is switched on or off while serving ${by ?? 'a call'} and no state assignment next to the switch says when; register it up front and make its handler return a tool error until its precondition holds ("call ${by ?? '<tool>'} first")`,
  connectionToggle: (name: string) =>
    `${name} is switched on or off when a client connects (oninitialized), so clients see different lists; register it up front and have its handler check what it needs from the request (ctx.mcpReq.envelope) when called`,
  notInline: (name: string) =>
    `${name} is gated per call but its handler is not written inline; register it up front and check the precondition at the top of the handler`,
  stateGate: (state: string) =>
    `${state} decides what may be called and lives as long as the process, shared by every client; make the tool that sets it return a handle and have the gated tools take that handle`,
  dynamicName: (kind: string, by: string | undefined) =>
    `a ${kind} is registered while serving ${by ?? 'a call'} under a computed name, so the list depends on earlier calls; register a fixed set up front`,
  captures: (name: string, names: readonly string[]) =>
    `${name} is registered per call and its registration uses ${names.join(', ')} from that call; register it up front and read those values from its own arguments`,
  listChangedPerCall: (kind: string, more = 0) =>
    `a ${kind} list_changed notification is sent while serving a call${more > 0 ? ` (here and in ${more} more place${more === 1 ? '' : 's'} in this file)` : ''}; with static lists nothing changes per call, remove ${more > 0 ? 'them' : 'it'} once nothing here registers or toggles ${kind}s per call`,
  derivedList: (collection: string) =>
    `resources/list is built from ${collection}, which calls add to; list fixed resources only, expose these through a resource template and return resource_link content from the tool that creates them`,
  sharedCollection: (collection: string, template: string) =>
    `${collection} is shared by every client of this process; key it by a handle the creator returns so the template reads ${template}`,
  dynamicResource: (by: string | undefined, why: string) =>
    `a resource is registered while serving ${by ?? 'a call'} (${why}); register a ResourceTemplate up front and return a resource_link from the call instead`,
  filteredCache: (method: string) =>
    `${method} is filtered by the caller's credentials; its cache hint must keep cacheScope 'private' (SEP-2549)`,
} as const;

/** Join names as prose: `a`, `a and b`, `a, b and c`. */
function prose(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Text of the tool error (or thrown error) a tool answers when it used to be registered only for clients
 * declaring a capability, and the calling client does not declare it.
 */
export function capabilityError(gated: string, capabilities: readonly string[]): string {
  if (capabilities.length === 0) return `${gated} is not available to this client: it does not declare the client capability this tool needs.`;
  return `${gated} needs a client that declares the ${prose(capabilities)} ${capabilities.length === 1 ? 'capability' : 'capabilities'}.`;
}
