import { power } from './format.ts';

// paper.md from paper.template.md: every `{{path}}` is replaced by the value at that path of
// results.json (dots between keys, numbers index arrays), so no number in the paper is typed by
// hand. A number may carry a format after a bar: `{{claim2.ratio|f2}}`.
//   fN  toFixed(N)        eN  toExponential(N)      pN  N significant digits
//   int an integer with spaces between thousands    x   ×-ratio, 3 significant digits ("12.3×")
//   pow a power of ten as 10ⁿ
// Without a format a number prints as JavaScript prints it, a string as it is.

/** `{{ path | format }}` anywhere in the template. */
export const REFERENCE = /\{\{\s*([A-Za-z0-9_.-]+)\s*(?:\|\s*([a-z]+[0-9]*)\s*)?\}\}/g;

/** The value at a dotted path, or undefined when some key is missing. */
export function lookup(results: unknown, path: string): unknown {
  let at: unknown = results;
  for (const key of path.split('.')) {
    if (at === null || typeof at !== 'object' || !(key in at)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A value as the paper prints it. */
export function format(value: unknown, how: string | undefined, path: string): string {
  if (how === undefined) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw new Error(
      `paper template: {{${path}}} is ${Array.isArray(value) ? 'an array' : 'an object'}, not a number or a string`,
    );
  }
  if (typeof value !== 'number')
    throw new Error(`paper template: {{${path}|${how}}} formats a number, but the value is ${JSON.stringify(value)}`);
  if (how === 'int') return Math.round(value).toLocaleString('en-US').replace(/,/g, ' ');
  if (how === 'x') return `${Number(value.toPrecision(3))}×`;
  if (how === 'pow') return power(value);
  const [kind, digits] = [how[0], Number(how.slice(1))];
  if (how.length > 1 && Number.isInteger(digits) && digits <= 20) {
    if (kind === 'f') return value.toFixed(digits);
    if (kind === 'e') return value === 0 ? '0' : value.toExponential(digits);
    if (kind === 'p' && digits >= 1) return Number(value.toPrecision(digits)).toString();
  }
  throw new Error(`paper template: {{${path}|${how}}}: unknown format '${how}'`);
}

/** Every reference path of a template. */
export function references(template: string): string[] {
  return [...template.matchAll(REFERENCE)].map((m) => m[1]);
}

/** The rendered paper; throws naming the first reference that does not resolve. */
export function render(template: string, results: unknown): string {
  return template.replace(REFERENCE, (_, path: string, how: string | undefined) => {
    const value = lookup(results, path);
    if (value === undefined) throw new Error(`paper template: {{${path}}} is not in results.json`);
    return format(value, how, path);
  });
}
