import type { HelperDelegate } from 'handlebars';

/**
 * Helpers every template may use, registered once on the package's own Handlebars environment.
 * Templates emit code, so helpers return plain strings and never HTML-escape.
 */
export const TEMPLATE_HELPERS: Readonly<Record<string, HelperDelegate>> = {
  /** `{{#if (eq store "redis")}}`: strict equality of two values. */
  eq: (left: unknown, right: unknown) => left === right,
  /** `{{#if (ne a b)}}` */
  ne: (left: unknown, right: unknown) => left !== right,
  /** `{{#if (and a b)}}`: every argument truthy (the last argument is Handlebars' options object). */
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  /** `{{#if (or a b)}}`: some argument truthy. */
  or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
  /** `{{#if (not a)}}` */
  not: (value: unknown) => !value,
  /** `{{json value}}`: a JSON literal, safe to drop into generated code as a string or object literal. */
  json: (value: unknown) => JSON.stringify(value),
};
