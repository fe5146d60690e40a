import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planAddHandle } from '../../src/scaffold/add-handle.js';
import { renderNewProject } from '../../src/scaffold/render-new.js';
import { renderHandleStore } from '../../src/templates/handle-store.js';
import { writeChanges } from '../../src/scaffold/writer.js';
import { REPO_ROOT } from '../helpers/fixtures.js';
import { tempProject, type TempProject } from '../helpers/temp-project.js';
import { runScaffoldCli } from './cli.js';
import { optionsWith } from './options.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const CART = ['add', 'handle', 'shopping_cart', '--item', 'product', '--yes'];

const HAND_WRITTEN = `import { createServer } from "node:http"
import { toNodeHandler } from "@modelcontextprotocol/node"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import * as z from "zod"

// Builds one server per request.
function buildServer() {
  const server = new McpServer({ name: "hw", version: "1.0.0" })

  server.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
    content: [{ type: "text", text }],
  })) // echoes

  return server
}

createServer(toNodeHandler(createMcpHandler(buildServer))).listen(3000)
`;

const HAND_WRITTEN_AFTER = `import { createServer } from "node:http"
import { toNodeHandler } from "@modelcontextprotocol/node"
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server"
import * as z from "zod"
import { registerShoppingCartHandles } from "./handles/shopping-cart.js"

// Builds one server per request.
function buildServer() {
  const server = new McpServer({ name: "hw", version: "1.0.0" })

  server.registerTool("echo", { inputSchema: z.object({ text: z.string() }) }, async ({ text }) => ({
    content: [{ type: "text", text }],
  })) // echoes
  registerShoppingCartHandles(server)

  return server
}

createServer(toNodeHandler(createMcpHandler(buildServer))).listen(3000)
`;

const PACKAGE = `{
    "name": "hw",
    "type": "module",
    "dependencies": {
        "@modelcontextprotocol/server": "^2.4.0"
    }
}
`;

describe('add handle on a generated project', () => {
  it('prints diffs and writes nothing by default, writes with --write, and changes nothing the second time', () => {
    project = tempProject(renderNewProject(optionsWith()));
    const before = project.hash();
    const dry = runScaffoldCli(CART, { cwd: project.dir });
    expect(dry.code, dry.stderr).toBe(0);
    expect(project.hash()).toBe(before);
    expect(dry.stdout).toContain('diff --git a/src/server.ts b/src/server.ts');
    expect(dry.stdout).toContain('diff --git a/test/shopping-cart.test.ts b/test/shopping-cart.test.ts\nnew file mode 100644');
    expect(dry.stderr).toContain('Dry run: 3 files would change (create_shopping_cart, add_product, list_products, destroy_shopping_cart registered in src/server.ts). Run again with --write to apply.');

    const written = runScaffoldCli([...CART, '--write'], { cwd: project.dir });
    expect(written.code, written.stderr).toBe(0);
    const server = project.read('src/server.ts');
    expect(server).toContain("import { registerNotebookHandles } from './handles/notebook.js';\nimport { registerShoppingCartHandles } from './handles/shopping-cart.js';\n");
    expect(server).toContain('  registerNotebookHandles(server);\n  registerShoppingCartHandles(server);\n  return server;\n');
    expect(project.read('src/handles/shopping-cart.ts')).toContain("server.registerTool(\n    'create_shopping_cart',");
    expect(existsSync(join(project.dir, 'test/shopping-cart.test.ts'))).toBe(true);

    const after = project.hash();
    const again = runScaffoldCli([...CART, '--write'], { cwd: project.dir });
    expect(again).toMatchObject({ code: 0, stdout: '' });
    expect(again.stderr).toBe('The shopping_cart handle family is already in place (src/server.ts); nothing to change.\n');
    expect(project.hash()).toBe(after);
  });

  it('keeps a family module the user has edited, and says so', async () => {
    project = tempProject(renderNewProject(optionsWith()));
    project.write('src/handles/notebook.ts', '// mine\n');
    const plan = await planAddHandle({ root: project.dir, family: { kind: 'notebook', item: 'note' } });
    expect(plan.changes).toEqual([]);
    expect(plan.notes).toEqual(['src/handles/notebook.ts exists with other content; kept as it is']);
  });

  it('refuses bad names, and options that do not apply, with a message', () => {
    project = tempProject(renderNewProject(optionsWith()));
    expect(runScaffoldCli(['add', 'handle', 'ShoppingCart', '--yes'], { cwd: project.dir })).toMatchObject({
      code: 1,
      stderr: 'error: the handle kind "ShoppingCart" must be snake_case: a lowercase letter, then lowercase letters, digits and single underscores\n',
    });
    expect(runScaffoldCli(['add', 'handle', 'cart', '--item', 'cart', '--yes'], { cwd: project.dir })).toMatchObject({
      code: 1,
      stderr: 'error: the item name must differ from the kind ("cart"), or the tools would be named alike\n',
    });
    expect(runScaffoldCli(['add', 'handle', 'handle', '--yes'], { cwd: project.dir })).toMatchObject({
      code: 1,
      stderr: 'error: the handle kind "handle" would declare handles, a name the family module already uses; pick another kind\n',
    });
    expect(runScaffoldCli(['add', 'handle', 'cart', '--store', 'redis', '--yes'], { cwd: project.dir })).toMatchObject({
      code: 1,
      stderr: 'error: --store applies only to projects without a handle store (set MCP_HANDLE_STORE to switch the backend of an existing one)\n',
    });
  });
});

describe('add handle on a hand-written v2 server', () => {
  it('adds the family, the store it needs and the registration, in the file\'s own style', () => {
    project = tempProject({ 'package.json': PACKAGE, 'src/index.ts': HAND_WRITTEN });
    const run = runScaffoldCli([...CART, '--write'], { cwd: project.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(project.read('src/index.ts')).toBe(HAND_WRITTEN_AFTER);
    expect(project.read('src/handle-store.ts')).toBe(renderHandleStore({ language: 'ts', store: 'memory' }));
    expect(project.read('src/handles/shopping-cart.ts')).toContain("} from '../handle-store.js';");
    // Indentation of package.json is kept; zod, which the family imports, is declared.
    expect(project.read('package.json')).toBe(PACKAGE.replace('"^2.4.0"\n', '"^2.4.0",\n        "zod": "^4.2.0"\n'));
    expect(existsSync(join(project.dir, 'test'))).toBe(false);

    const after = project.hash();
    expect(runScaffoldCli([...CART, '--write'], { cwd: project.dir }).code).toBe(0);
    expect(project.hash()).toBe(after);
  });

  it("formats what it writes with the project's own Prettier, and stays idempotent", async () => {
    project = tempProject({ 'package.json': PACKAGE, 'src/index.ts': HAND_WRITTEN, '.prettierrc': '{ "semi": false, "printWidth": 120 }\n' });
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(project.dir, 'node_modules'), 'dir');
    const plan = await planAddHandle({ root: project.dir, family: { kind: 'notebook', item: 'note' } });
    expect(plan.notes).toEqual([]);
    expect(plan.files['src/handles/notebook.ts']).toContain('import * as z from "zod"\n');
    expect(plan.files['src/index.ts']).toContain('  registerNotebookHandles(server)\n');
    await writeChanges(project.dir, plan.changes);
    const again = await planAddHandle({ root: project.dir, family: { kind: 'notebook', item: 'note' } });
    expect(again.changes).toEqual([]);
    expect(again.notes).toEqual([]);
  });

  it('writes JavaScript next to a JavaScript server and reuses the handle store the project has', async () => {
    const server = `import { McpServer } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { db } from './state.js';

serveStdio(() => {
  const server = new McpServer({ name: 'js', version: '1.0.0' });
  return server;
});
`;
    // A runtime `migrate` wrote earlier, somewhere else than the default path.
    const runtime = renderHandleStore({ language: 'ts', store: 'redis' });
    project = tempProject({ 'package.json': '{ "type": "module", "dependencies": { "zod": "^4.2.0" } }\n', 'server.mjs': server, 'lib/handle-store.ts': runtime });
    const plan = await planAddHandle({ root: project.dir, family: { kind: 'notebook', item: 'note' } });
    expect(plan.handleStore).toBe('lib/handle-store.ts');
    expect(plan.changes.map((change) => change.path)).toEqual(['lib/handles/notebook.js', 'server.mjs']);
    expect(plan.files['server.mjs']).toBe(
      server
        .replace("import { db } from './state.js';\n", "import { db } from './state.js';\nimport { registerNotebookHandles } from './lib/handles/notebook.js';\n")
        .replace("  return server;\n", "  registerNotebookHandles(server);\n  return server;\n"),
    );
    expect(plan.files['lib/handles/notebook.js']).toContain('export function registerNotebookHandles(server, store = handles) {');
    expect(plan.files['lib/handles/notebook.js']).toContain("} from '../handle-store.js';");
    expect(plan.files['lib/handles/notebook.js']).not.toMatch(/: HandleStore|interface /);
  });

  it.each([
    [{ 'a.ts': "import { McpServer } from '@modelcontextprotocol/server';\nexport const a = () => { const s = new McpServer({ name: 'a', version: '1' }); return s; };\n", 'b.ts': "import { McpServer as M } from '@modelcontextprotocol/server';\nconst b = new M({ name: 'b', version: '1' });\nexport { b };\n" }, 'error: several files construct an McpServer (a.ts, b.ts); pick one with --server <file>\n'],
    [{ 'v1.ts': "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\nconst server = new McpServer({ name: 'v1', version: '1' });\n" }, 'error: this server uses the v1 SDK (@modelcontextprotocol/sdk); move it to v2 first: npx @modelcontextprotocol/codemod v1-to-v2\n'],
    [{ 'direct.ts': "import { McpServer } from '@modelcontextprotocol/server';\nexport const build = () => new McpServer({ name: 'd', version: '1' });\n" }, 'error: cannot register the family in direct.ts: the McpServer is not assigned to a variable in a block (const server = new McpServer(…))\n'],
  ])('explains why it cannot add a family (%#)', (files, message) => {
    project = tempProject({ 'package.json': '{}\n', ...files });
    const before = project.hash();
    expect(runScaffoldCli([...CART, '--write'], { cwd: project.dir })).toMatchObject({ code: 1, stdout: '', stderr: message });
    expect(project.hash()).toBe(before);
  });

  it('registers in the file chosen with --server when several construct a server', () => {
    project = tempProject({
      'package.json': '{}\n',
      'a.ts': "import { McpServer } from '@modelcontextprotocol/server';\nexport function a() {\n  const s = new McpServer({ name: 'a', version: '1' });\n  return s;\n}\n",
      'b.ts': "import { McpServer } from '@modelcontextprotocol/server';\nexport const b = new McpServer({ name: 'b', version: '1' });\n",
    });
    const run = runScaffoldCli([...CART, '--write', '--server', 'a.ts'], { cwd: project.dir });
    expect(run.code, run.stderr).toBe(0);
    expect(project.read('a.ts')).toContain('  const s = new McpServer({ name: \'a\', version: \'1\' });\n  registerShoppingCartHandles(s);\n  return s;\n');
  });
});
