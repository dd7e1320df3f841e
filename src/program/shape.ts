/**
 * The shape of a variable: `[]` a scalar, `[n]` a vector, `[r, c]` a matrix (row-major). A
 * scalar takes one slot of the value and multiplier slabs, a block r·c of them.
 */
export type Shape = readonly number[];

/** The shape of a scalar. */
export const SCALAR: Shape = Object.freeze([]);

/** How many entries (slots) a shape holds: 1 for a scalar. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[150, 4]`, `[3]`, or `scalar`: how messages print a shape. */
export function formatShape(shape: Shape): string {
  return shape.length === 0 ? 'scalar' : `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, k) => d === b[k]);
}

/** The rows and columns of a shape seen as a matrix: a vector [n] is one row of n, a scalar 1 × 1. */
export function rowsOf(shape: Shape): number {
  return shape.length === 2 ? shape[0] : 1;
}
export function colsOf(shape: Shape): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/**
 * The shape of an entrywise operation on a and b, or null when they do not fit (DESIGN §9): equal
 * shapes; a scalar against any shape; a vector [n] against the rows of an [m, n] matrix.
 */
export function broadcast(a: Shape, b: Shape): Shape | null {
  if (sameShape(a, b)) return a;
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  if (a.length === 1 && b.length === 2) return a[0] === b[1] ? b : null;
  if (a.length === 2 && b.length === 1) return b[0] === a[1] ? a : null;
  return null;
}

/**
 * A shape from user input (`[150, 4]`, `[3]`, `[]`), checked: at most two dimensions, each a
 * positive whole number. Returns a message saying what is wrong, or the shape.
 */
export function checkShape(dims: readonly unknown[]): Shape | string {
  if (dims.length > 2) return `${dims.length} dimensions; a variable is a scalar, a vector [n] or a matrix [r, c]`;
  for (const d of dims)
    if (!(typeof d === 'number' && Number.isInteger(d) && d >= 1))
      return `dimension ${String(d)} is not a positive whole number`;
  return Object.freeze([...(dims as number[])]);
}

/** The operator or function a primitive is written as, for shape errors: `'@': shapes … do not match`. */
export function symbolOf(primitive: string): string {
  return SYMBOLS[primitive] ?? primitive;
}

const SYMBOLS: Record<string, string> = {
  matmul: '@',
  add: '+',
  sub: '-',
  mul: '*',
  div: '/',
  pow: '^',
  powc: '^',
  square: '^',
  scale: '*',
  shift: '+',
  neg: '-',
};
