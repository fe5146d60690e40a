import {
  CLASS_SUFFIXES,
  DEFAULT_CREATOR_NAME,
  DEFAULT_DESTROY_NAME,
  ID_PARAM_SUFFIX,
  IRREGULAR_PLURALS,
  IRREGULAR_SINGULARS,
  KIND_PREFIXES,
  NOT_PLURAL,
  SELECTION_PREFIX,
  SESSION_AFFIXES,
  THING_ALIASES,
} from '../../src/rules/handles-naming.js';

/** Every name a handle kind brings with it. */
export interface KindNames {
  /** What a handle refers to, snake_case (`connection`, `active_project`). */
  thing: string;
  /** The same in words, for messages (`connection`, `active project`). */
  noun: string;
  /** The constant holding the kind in code (`connections`). */
  kindConst: string;
  /** The id prefix (`conn`). */
  kindName: string;
  /** The tool parameter (`connection_id`). */
  idParam: string;
  /** The creator tool (an existing tool's name, or the generated `create_<thing>`). */
  creator: string;
  /** The destroy tool (existing or generated `destroy_<thing>`). */
  destroy: string;
}

/** How a piece of state is named: from a variable, a session-keyed container, or a per-connection class. */
export type NameSource =
  | { from: 'variable'; name: string }
  | { from: 'container'; name: string }
  | { from: 'selection'; name: string }
  | { from: 'class'; name: string };

/** `fooBar` / `FooBar` / `foo-bar` → `foo_bar`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** `foo_bar` → `fooBar`. */
export function camelCase(snake: string): string {
  return snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function singular(word: string): string {
  const lower = word.toLowerCase();
  if (IRREGULAR_SINGULARS[lower]) return IRREGULAR_SINGULARS[lower];
  if (NOT_PLURAL.includes(lower) || !lower.endsWith('s') || lower.endsWith('ss')) return word;
  if (lower.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|xes|zes|sses)$/.test(lower)) return word.slice(0, -2);
  return word.slice(0, -1);
}

export function plural(word: string): string {
  const lower = word.toLowerCase();
  if (IRREGULAR_PLURALS[lower]) return IRREGULAR_PLURALS[lower];
  if (/[^aeiou]y$/.test(lower)) return `${word.slice(0, -1)}ies`;
  if (/(?:s|x|z|ch|sh)$/.test(lower)) return `${word}es`;
  return `${word}s`;
}

/** The thing a state variable holds, snake_case. */
export function thingOf(source: NameSource): string {
  switch (source.from) {
    case 'selection':
      // `activeProject` stays `active_project`: the handle stands for a selection, and the name says so.
      return snakeCase(source.name);
    case 'class': {
      const stem = source.name.replace(CLASS_SUFFIXES, '') || source.name;
      return aliased(snakeCase(stem));
    }
    case 'container': {
      let stem = source.name;
      for (const affix of SESSION_AFFIXES) stem = stem.replace(affix, '') || stem;
      const snake = snakeCase(stem);
      return THING_ALIASES[snake] ?? snakeCase(singular(stem));
    }
    case 'variable': {
      const stem = source.name.replace(SELECTION_PREFIX, '') || source.name;
      return aliased(snakeCase(stem.charAt(0).toLowerCase() + stem.slice(1)));
    }
  }
}

function aliased(snake: string): string {
  return THING_ALIASES[snake] ?? snake;
}

/**
 * All names for a kind. `existingConst` keeps a container's own name as the kind constant (other modules
 * import it); otherwise the constant is the plural of the thing in camelCase (`connections`).
 */
export function kindNames(
  thing: string,
  options: { creatorTemplate?: string; destroyTemplate?: string; existingConst?: string; creator?: string; destroy?: string },
): KindNames {
  const fill = (template: string) => template.replace(/\{thing\}/g, thing);
  return {
    thing,
    noun: thing.replace(/_/g, ' '),
    kindConst: options.existingConst ?? camelCase(pluralOf(thing)),
    kindName: (KIND_PREFIXES[thing] ?? thing).slice(0, 32),
    idParam: `${thing}${ID_PARAM_SUFFIX}`,
    creator: options.creator ?? fill(options.creatorTemplate || DEFAULT_CREATOR_NAME),
    destroy: options.destroy ?? fill(options.destroyTemplate || DEFAULT_DESTROY_NAME),
  };
}

/** A thing already named in the plural (`tabs`) keeps its name for the kind, instead of `tabses`. */
function pluralOf(thing: string): string {
  const last = thing.split('_').pop() ?? thing;
  return singular(last) !== last ? thing : plural(thing);
}
