import { projectNameError } from './names.js';
import type { Answers, Question } from './questions.js';

/** Which transports the generated server serves. */
export type TransportChoice = 'both' | 'http' | 'stdio';
/** The HTTP framework the Streamable HTTP endpoint is mounted on. */
export type FrameworkChoice = 'node' | 'express' | 'hono';
/** Where handles live: one process (memory) or shared by every replica (Redis). */
export type StoreChoice = 'memory' | 'redis';
/** How HTTP callers are authenticated; handles are bound to the verified principal. */
export type AuthChoice = 'none' | 'bearer';
/** The example handle family written into the project. */
export type ExampleChoice = 'notebook' | 'none';
export type PackageManagerChoice = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** Everything `new` needs, fully resolved. */
export interface NewProjectOptions {
  /** npm package name (validated, never rewritten). */
  name: string;
  description: string;
  transport: TransportChoice;
  /** Undefined for stdio-only servers. */
  framework: FrameworkChoice | undefined;
  store: StoreChoice;
  /** Always 'none' for stdio-only servers (stdio has no bearer tokens). */
  auth: AuthChoice;
  example: ExampleChoice;
  packageManager: PackageManagerChoice;
  /** Run `git init` and make a first commit. */
  git: boolean;
  /** Install dependencies after writing. */
  install: boolean;
}

const servesHttp = (a: Answers) => a.transport !== 'stdio';

/** The package manager that ran us (`npm_config_user_agent`, as npm/pnpm/yarn/bun set it), else npm. */
function packageManagerFromEnv(env: NodeJS.ProcessEnv): PackageManagerChoice {
  const agent = env.npm_config_user_agent ?? '';
  for (const pm of ['pnpm', 'yarn', 'bun'] as const) if (agent.startsWith(`${pm}/`)) return pm;
  return 'npm';
}

/** The `new` questions, in the order they are asked. */
export const NEW_QUESTIONS: readonly Question[] = [
  {
    key: 'name',
    type: 'input',
    flag: '--name <name>',
    message: 'Project name',
    help: 'npm package name (also the first argument)',
    howToPass: 'it as the first argument or --name <name>',
    validate: projectNameError,
  },
  {
    key: 'description',
    type: 'input',
    flag: '--description <text>',
    message: 'Description',
    help: 'one-line description for package.json and the README',
    default: () => 'A sessionless MCP server',
    validate: (value) => (value.includes('\n') ? 'the description must be one line' : undefined),
  },
  {
    key: 'transport',
    type: 'select',
    flag: '--transport <kind>',
    message: 'Transports',
    help: 'transports to serve',
    choices: [
      { value: 'both', label: 'Streamable HTTP and stdio' },
      { value: 'http', label: 'Streamable HTTP only' },
      { value: 'stdio', label: 'stdio only' },
    ],
    default: () => 'both',
  },
  {
    key: 'framework',
    type: 'select',
    flag: '--framework <name>',
    message: 'HTTP framework',
    help: 'HTTP framework for the Streamable HTTP endpoint',
    choices: [
      { value: 'node', label: 'node:http (no framework)' },
      { value: 'express', label: 'Express' },
      { value: 'hono', label: 'Hono' },
    ],
    default: () => 'node',
    when: servesHttp,
    inapplicable: 'applies only to servers with an HTTP transport (--transport http or both)',
  },
  {
    key: 'store',
    type: 'select',
    flag: '--store <kind>',
    message: 'Handle store',
    help: 'where handles live',
    choices: [
      { value: 'memory', label: 'memory (one process)' },
      { value: 'redis', label: 'Redis (shared by every replica)' },
    ],
    default: () => 'memory',
  },
  {
    key: 'auth',
    type: 'select',
    flag: '--auth <kind>',
    message: 'Authentication',
    help: 'HTTP authentication; handles are bound to the verified principal',
    choices: [
      { value: 'none', label: 'none' },
      { value: 'bearer', label: 'bearer token verification' },
    ],
    default: () => 'none',
    when: servesHttp,
    inapplicable: 'applies only to servers with an HTTP transport (stdio has no bearer tokens)',
  },
  {
    key: 'example',
    type: 'select',
    flag: '--example <family>',
    message: 'Example handle family',
    help: 'example handle family',
    choices: [
      { value: 'notebook', label: 'notebook (create_notebook → notebook_id, add_note, list_notes, destroy_notebook)' },
      { value: 'none', label: 'none' },
    ],
    default: () => 'notebook',
  },
  {
    key: 'packageManager',
    type: 'select',
    flag: '--package-manager <pm>',
    message: 'Package manager',
    help: 'package manager for scripts and install',
    choices: [
      { value: 'npm', label: 'npm' },
      { value: 'pnpm', label: 'pnpm' },
      { value: 'yarn', label: 'yarn' },
      { value: 'bun', label: 'bun' },
    ],
    default: (_answers, env) => packageManagerFromEnv(env),
  },
  { key: 'git', type: 'confirm', flag: '--git', message: 'Initialize a git repository?', help: 'run git init and commit', default: true },
  { key: 'install', type: 'confirm', flag: '--install', message: 'Install dependencies?', help: 'install dependencies', default: true },
];

/** Turn resolved answers into typed options (the resolver already validated every value). */
export function toNewProjectOptions(answers: Answers): NewProjectOptions {
  const http = answers.transport !== 'stdio';
  return {
    name: String(answers.name),
    description: String(answers.description),
    transport: answers.transport as TransportChoice,
    framework: http ? (answers.framework as FrameworkChoice) : undefined,
    store: answers.store as StoreChoice,
    auth: http ? (answers.auth as AuthChoice) : 'none',
    example: answers.example as ExampleChoice,
    packageManager: answers.packageManager as PackageManagerChoice,
    git: answers.git === true,
    install: answers.install === true,
  };
}

