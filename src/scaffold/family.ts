import { camelCase, kindError, pascalCase, plural, words } from './names.js';

/** A handle family: a kind of handle and the noun of the entries it holds. */
export interface FamilySpec {
  /** snake_case handle kind: `notebook` → create_notebook, notebook_id. */
  kind: string;
  /** snake_case entry noun: `note` → add_note, list_notes. */
  item: string;
}

/** The example family `new` writes. */
export const NOTEBOOK: FamilySpec = { kind: 'notebook', item: 'note' };

/** The entry noun when none is given: `cart` → `cart_item` (add_cart_item, list_cart_items), which cannot clash across families. */
export function defaultItem(kind: string): string {
  return `${kind}_item`;
}

/** Names the family module imports or declares besides the kind's own: a kind must not produce them. */
const TAKEN_NAMES = new Set(['McpServer', 'ResourceTemplate', 'ResourceNotFoundError', 'ProtocolError', 'ProtocolErrorCode', 'HandleError', 'HandleStore', 'handles', 'store', 'server', 'z']);

/** Error message for an unusable family, or undefined. */
export function familyError(spec: FamilySpec): string | undefined {
  const error = kindError(spec.kind) ?? kindError(spec.item, 'item name');
  if (error) return error;
  if (spec.item === spec.kind) return `the item name must differ from the kind ("${spec.kind}"), or the tools would be named alike`;
  const clash = [pascalCase(spec.kind), camelCase(plural(spec.kind))].find((name) => TAKEN_NAMES.has(name));
  if (clash) return `the handle kind "${spec.kind}" would declare ${clash}, a name the family module already uses; pick another kind`;
  return undefined;
}

/** The tool names a family registers, in registration order. */
export function familyTools(spec: FamilySpec): string[] {
  return [`create_${spec.kind}`, `add_${spec.item}`, `list_${plural(spec.item)}`, `destroy_${spec.kind}`];
}

/** Where a family's module finds the handle-store runtime (a relative module specifier). */
export interface FamilyImports {
  storeImport: string;
}

/** Template data for templates/add-handle. */
export function familyData(spec: FamilySpec, imports: FamilyImports) {
  const items = plural(spec.item);
  const [createTool, addTool, listTool, destroyTool] = familyTools(spec);
  return {
    ...imports,
    kind: spec.kind,
    Kind: pascalCase(spec.kind),
    kindCamel: camelCase(spec.kind),
    /** The exported handle kind constant: notebooks, shoppingCarts. */
    kindsCamel: camelCase(plural(spec.kind)),
    kindWords: words(spec.kind),
    KindWords: capitalized(words(spec.kind)),
    idField: `${spec.kind}_id`,
    item: spec.item,
    itemWords: words(spec.item),
    itemsField: items,
    itemsCamel: camelCase(items),
    // `notes` when field and variable are spelled alike, else `cart_items: cartItems`.
    itemsOutput: items === camelCase(items) ? items : `${items}: ${camelCase(items)}`,
    itemsWords: words(items),
    createTool,
    addTool,
    listTool,
    destroyTool,
    registerFn: `register${pascalCase(spec.kind)}Handles`,
    file: fileStem(spec.kind),
    scheme: fileStem(spec.kind),
  };
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** notebook_page → notebook-page (module file names and URI schemes, where underscores are not allowed). */
export function fileStem(kind: string): string {
  return kind.split('_').join('-');
}
