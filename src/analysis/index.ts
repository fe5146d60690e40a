/**
 * The shared analysis of MCP server projects: what servers, handlers and state a project has, and which
 * handlers read and write which state. Audit rules and migration transforms both build on this model.
 *
 * Entry point: `analyzeProject(project)` over a ts-morph Project (or `analyzeSources(files)` for in-memory texts).
 */
export { analyzeProject, type AnalyzeOptions } from './analyze.js';
export { analyzeSources, type AnalyzedSources } from './sources.js';
export { mayNeedAnalysis } from './prefilter.js';
export { Resolver, type Binding } from './scope.js';
export { resolveFunction } from './functions.js';
export type {
  ClientContextSite,
  FactoryInvocation,
  FileInfo,
  FunctionNode,
  KeyOrigin,
  ListMutation,
  Location,
  PlumbingKind,
  PlumbingSite,
  Registration,
  RequestHandler,
  ServerFactory,
  ServerInstance,
  ServerModel,
  SessionIdRead,
  StateAccess,
  SharedPurpose,
  StateDependence,
  StateKind,
  StateVariable,
  TransportSite,
} from './model.js';
export * as vocabulary from './vocabulary.js';
export type { PrimitiveKind, RequestRole, TransportKind } from './vocabulary.js';
export { locationOf } from './syntax.js';
