import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { CATALOG, findProduct } from './catalog.js';
import { carts } from './carts.js';

function buildServer(): McpServer {
  const server = new McpServer({ name: 'cart-server', version: '1.0.0' });

  server.tool('list_products', 'List the products for sale', async () => ({
    content: [{ type: 'text', text: CATALOG.map((p) => `${p.sku}: ${p.name} ($${(p.priceCents / 100).toFixed(2)})`).join('\n') }],
  }));

  server.tool(
    'add_to_cart',
    'Add a product to the shopping cart',
    { sku: z.string().describe('Product SKU'), quantity: z.number().int().positive().default(1) },
    async ({ sku, quantity }, extra) => {
      const product = findProduct(sku);
      if (!product) return { isError: true, content: [{ type: 'text', text: `No product ${sku}` }] };
      const cart = carts.get(extra.sessionId!) ?? [];
      cart.push({ sku, quantity });
      carts.set(extra.sessionId!, cart);
      return { content: [{ type: 'text', text: `Added ${quantity} × ${product.name}` }] };
    },
  );

  server.tool('view_cart', 'Show the shopping cart', async (extra) => {
    const cart = carts.get(extra.sessionId!) ?? [];
    const lines = cart.map((line) => `${line.quantity} × ${line.sku}`);
    return { content: [{ type: 'text', text: lines.length ? lines.join('\n') : 'The cart is empty' }] };
  });

  server.tool('checkout', 'Place the order for everything in the cart', async (extra) => {
    const cart = carts.get(extra.sessionId!) ?? [];
    const totalCents = cart.reduce((sum, line) => sum + (findProduct(line.sku)?.priceCents ?? 0) * line.quantity, 0);
    carts.delete(extra.sessionId!);
    return { content: [{ type: 'text', text: `Order placed: $${(totalCents / 100).toFixed(2)}` }] };
  });

  return server;
}

const app = express();
app.use(express.json());

// Map to store transports by session ID
const transports: Record<string, StreamableHTTPServerTransport> = {};

app.post('/mcp', async (req, res) => {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  let transport: StreamableHTTPServerTransport;

  if (sessionId && transports[sessionId]) {
    transport = transports[sessionId];
  } else if (!sessionId && isInitializeRequest(req.body)) {
    transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        transports[id] = transport;
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) {
        delete transports[transport.sessionId];
        carts.delete(transport.sessionId);
      }
    };
    const server = buildServer();
    await server.connect(transport);
  } else {
    res.status(400).json({
      jsonrpc: '2.0',
      error: { code: -32000, message: 'Bad Request: No valid session ID provided' },
      id: null,
    });
    return;
  }

  await transport.handleRequest(req, res, req.body);
});

// Reusable handler for GET and DELETE requests
const handleSessionRequest = async (req: express.Request, res: express.Response) => {
  const sessionId = req.headers['mcp-session-id'] as string | undefined;
  if (!sessionId || !transports[sessionId]) {
    res.status(400).send('Invalid or missing session ID');
    return;
  }
  await transports[sessionId].handleRequest(req, res);
};

app.get('/mcp', handleSessionRequest);
app.delete('/mcp', handleSessionRequest);

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => {
  console.log(`cart-server listening on http://127.0.0.1:${port}/mcp`);
});
