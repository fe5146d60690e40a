/** A tiny product catalog; pure data, no session involved. */
export interface Product {
  sku: string;
  name: string;
  priceCents: number;
}

export const CATALOG: readonly Product[] = [
  { sku: 'mug-01', name: 'Enamel mug', priceCents: 1200 },
  { sku: 'tee-02', name: 'Logo T-shirt', priceCents: 2500 },
  { sku: 'cap-03', name: 'Baseball cap', priceCents: 1800 },
];

export function findProduct(sku: string): Product | undefined {
  return CATALOG.find((product) => product.sku === sku);
}
