/**
 * What generated code may use, by the SDK release a project pins: each feature with the first release of each
 * SDK package that has it. Transforms ask before they write a feature and fall back to what the pinned release
 * supports (or leave a marker where no fallback keeps behaviour).
 *
 * Each version was read from the published packages (dist/esm/types.d.ts and server/mcp.d.ts of
 * @modelcontextprotocol/sdk on npm) and the SDK repository's release tags.
 */
import type { SdkLine } from './sdk.js';

/** The package whose version decides, per SDK line: v1 is one package, v2 serves through `@modelcontextprotocol/server`. */
export type SdkPackage = '@modelcontextprotocol/sdk' | '@modelcontextprotocol/server';

export const SDK_PACKAGE_OF: Readonly<Record<SdkLine, SdkPackage>> = {
  v1: '@modelcontextprotocol/sdk',
  v2: '@modelcontextprotocol/server',
};

export type SdkFeature = 'resource-link' | 'structured-output' | 'register-tool' | 'no-input-tool-callback' | 'streamable-http' | 'request-notification';

export interface SdkFeatureSpec {
  /** What the feature is, for messages ("`resource_link` content needs …"). */
  what: string;
  /** First release of each package that has it. */
  since: Readonly<Record<SdkPackage, string>>;
}

export const SDK_FEATURES: Readonly<Record<SdkFeature, SdkFeatureSpec>> = {
  // ResourceLinkSchema (`type: 'resource_link'`) is absent from 1.12.3 and present from 1.13.0.
  'resource-link': {
    what: '`resource_link` content',
    since: { '@modelcontextprotocol/sdk': '1.13.0', '@modelcontextprotocol/server': '2.0.0' },
  },
  // CallToolResult.structuredContent and Tool.outputSchema: absent from 1.11.3, present from 1.11.4 (npm).
  'structured-output': {
    what: 'structured tool output (`structuredContent`, `outputSchema`)',
    since: { '@modelcontextprotocol/sdk': '1.11.4', '@modelcontextprotocol/server': '2.0.0' },
  },
  // McpServer.registerTool(name, { description, inputSchema, outputSchema }, cb): from 1.11.4, with outputSchema.
  'register-tool': {
    what: '`McpServer.registerTool`',
    since: { '@modelcontextprotocol/sdk': '1.11.4', '@modelcontextprotocol/server': '2.0.0' },
  },
  // registerTool's callback for a tool without inputSchema, typed `(extra) => …`: InputArgs defaults to undefined
  // from 1.24.0; 1.22.0 and 1.23.1 infer a union (an implicit-any `extra`), and 1.11.4 to 1.21 type the callback
  // `(args, extra)` (server/mcp.d.ts).
  'no-input-tool-callback': {
    what: 'a registerTool callback written for a tool without an input schema',
    since: { '@modelcontextprotocol/sdk': '1.24.0', '@modelcontextprotocol/server': '2.0.0' },
  },
  // server/streamableHttp.js (StreamableHTTPServerTransport): absent from 1.9.0, present from 1.10.0.
  'streamable-http': {
    what: 'the Streamable HTTP server transport',
    since: { '@modelcontextprotocol/sdk': '1.10.0', '@modelcontextprotocol/server': '2.0.0' },
  },
  // RequestHandlerExtra.sendNotification (a notification sent on the request it belongs to): absent from 1.9.0,
  // present from 1.10.0 (dist/esm/shared/protocol.d.ts).
  'request-notification': {
    what: "a request handler's own `sendNotification`",
    since: { '@modelcontextprotocol/sdk': '1.10.0', '@modelcontextprotocol/server': '2.0.0' },
  },
};

/** The SDK release a project uses, as read from disk (see src/engine/project-facts.ts). */
export interface SdkVersionFact {
  package: SdkPackage;
  /** `1.0.1`. */
  version: string;
  /** `installed`: node_modules/<package>/package.json; `declared`: the lowest release the range in package.json allows. */
  source: 'installed' | 'declared';
}

/** Whether a release (`1.0.1`, `2.0.0-beta.3`) is at least `since`; pre-release tags count as their release. */
export function atLeast(version: string, since: string): boolean {
  const parts = (text: string) => (text.split('-')[0] ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [a, b] = [parts(version), parts(since)];
  for (let index = 0; index < 3; index++) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}


/**
 * Whether code for `line` may use `feature`. An unknown release (memory-only runs, no package.json) may; code of
 * no known line (a state module, a generated runtime) may only when every SDK package the project has does.
 */
export function supportsFeature(sdks: readonly SdkVersionFact[], line: SdkLine | undefined, feature: SdkFeature): boolean {
  const deciding = line ? sdks.filter((fact) => fact.package === SDK_PACKAGE_OF[line]) : sdks;
  return deciding.every((fact) => atLeast(fact.version, SDK_FEATURES[feature].since[fact.package]));
}

/** "the Streamable HTTP server transport needs @modelcontextprotocol/sdk 1.10.0; the project has 1.0.1". */
export function missingFeature(sdks: readonly SdkVersionFact[], line: SdkLine, feature: SdkFeature): string {
  const pkg = SDK_PACKAGE_OF[line];
  const pinned = sdks.find((fact) => fact.package === pkg);
  const spec = SDK_FEATURES[feature];
  const has = pinned ? `; the project ${pinned.source === 'installed' ? 'has' : 'declares'} ${pinned.version}` : '';
  return `${spec.what} needs ${pkg} ${spec.since[pkg]}${has}`;
}
