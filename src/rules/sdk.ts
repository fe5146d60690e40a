/**
 * Which MCP SDK line a module speaks, keyed by import specifier prefix.
 * v1: the single `@modelcontextprotocol/sdk` package; v2: the split packages.
 */
export type SdkLine = 'v1' | 'v2';

export const SDK_MODULES: ReadonlyArray<{ prefix: string; line: SdkLine; role: 'server' | 'client' | 'http' }> = [
  { prefix: '@modelcontextprotocol/sdk/server', line: 'v1', role: 'server' },
  { prefix: '@modelcontextprotocol/sdk/types', line: 'v1', role: 'server' },
  { prefix: '@modelcontextprotocol/sdk/shared', line: 'v1', role: 'server' },
  { prefix: '@modelcontextprotocol/sdk/client', line: 'v1', role: 'client' },
  { prefix: '@modelcontextprotocol/server', line: 'v2', role: 'server' },
  { prefix: '@modelcontextprotocol/core', line: 'v2', role: 'server' },
  { prefix: '@modelcontextprotocol/node', line: 'v2', role: 'http' },
  { prefix: '@modelcontextprotocol/express', line: 'v2', role: 'http' },
  { prefix: '@modelcontextprotocol/hono', line: 'v2', role: 'http' },
  { prefix: '@modelcontextprotocol/client', line: 'v2', role: 'client' },
];

export function sdkLineOf(specifier: string): SdkLine | undefined {
  return SDK_MODULES.find((m) => specifier === m.prefix || specifier.startsWith(`${m.prefix}/`) || specifier.startsWith(`${m.prefix}.`))
    ?.line;
}

/**
 * SDK task-store and message-queue methods whose last `sessionId?` argument scopes a task to the session that made it.
 * Sessionless requests carry no id, so such a store stops isolating tasks: whose tasks they are becomes a choice.
 */
export const SESSION_SCOPED_TASK_CALLS: readonly string[] = ['createTask', 'getTask', 'storeTaskResult', 'getTaskResult', 'updateTaskStatus', 'listTasks', 'enqueue', 'dequeue', 'dequeueAll'];

/**
 * Names of the MCP SDK's own packages (v1, the v2 packages, the v2 monorepo). A folder of a project holding one of
 * them is a copy of the SDK vendored beside the server, not the server's code: discovery leaves it out.
 */
export const SDK_PACKAGE_NAMES: RegExp = /^@modelcontextprotocol\/(?:sdk|server|client|core|node|express|hono|fastify|typescript-sdk)$/;
