import { posix } from 'node:path';
import type { SourceFile } from 'ts-morph';
import { relativeOf } from '../../src/engine/parse.js';
import { renderStatelessHttp, STATELESS_HTTP_CLASS, STATELESS_HTTP_MODULE } from '../../src/templates/stateless-http.js';
import { isCommonJs, specifierFor } from '../handles/imports.js';
import { v1Specifier } from './imports.js';

/**
 * The transport module written into a project whose SDK release has no Streamable HTTP transport (before 1.10.0):
 * the HTTP+SSE pair it served becomes stateless Streamable HTTP through `StatelessHttpTransport`
 * (templates/stateless-http), which serves one POST exactly as the SDK's stateless transport does in JSON mode.
 * Upgrading the SDK and swapping the class is the user's follow-up, told in an info note.
 */
export interface OwnTransport {
  /** Root-relative path of the module. */
  path: string;
  /** How the entry imports it. */
  specifier: string;
  className: string;
  /** The module's text; undefined when the module is already there (a second run). */
  content: string | undefined;
}

/** Text of a root-relative file that exists ('' when it exists but cannot be read), undefined when it does not. */
export type ExistingFile = (relPath: string) => string | undefined;

const CANDIDATE_NAMES = [STATELESS_HTTP_MODULE, `mcp-${STATELESS_HTTP_MODULE}`, `mcp-sessionless-${STATELESS_HTTP_MODULE}`];

/** Where the module goes and what it holds, or why none can be written for this entry. */
export function planOwnTransport(entry: SourceFile, existing: ExistingFile): OwnTransport | string {
  const entryPath = relativeOf(entry);
  const typescript = /\.[cm]?tsx?$/.test(entryPath);
  if (!typescript && isCommonJs(entry)) return 'the entry is a CommonJS module, and the stateless transport written for old SDK releases is an ES module';
  const extension = typescript ? '.ts' : '.js';
  for (const name of CANDIDATE_NAMES) {
    const path = posix.join(posix.dirname(entryPath), `${name}${extension}`);
    const text = existing(path);
    // A module of the project's own at that name is never assumed to be ours.
    if (text !== undefined && !text.includes(`export class ${STATELESS_HTTP_CLASS} `)) continue;
    const content =
      text === undefined
        ? renderStatelessHttp({
            language: typescript ? 'ts' : 'js',
            transportSpecifier: v1Specifier(entry, '@modelcontextprotocol/sdk/shared/transport'),
            typesSpecifier: v1Specifier(entry, '@modelcontextprotocol/sdk/types'),
          })
        : undefined;
    return { path, specifier: specifierFor(entry, entryPath, path), className: STATELESS_HTTP_CLASS, content };
  }
  return `${CANDIDATE_NAMES.map((name) => `${name}${extension}`).join(', ')} next to the entry all hold other modules`;
}

/** The note that tells what was written and how to retire it. */
export function ownTransportNote(own: OwnTransport, missing: string): string {
  return `${missing}: the endpoint is served by \`${own.className}\` (${own.path}), a stateless Streamable HTTP transport written for this release; after upgrading to 1.10.0 or later, construct the SDK's \`StreamableHTTPServerTransport({ sessionIdGenerator: undefined })\` instead and delete that module.`;
}
