export interface CartLine {
  sku: string;
  quantity: number;
}

// One cart per MCP session: the session id is the cart's key.
export const carts = new Map<string, CartLine[]>();
