/** A binary arithmetic operation as the primitive that records it. */
export const BINARY = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow', '@': 'matmul' } as const;
export type BinaryPrimitive = (typeof BINARY)[keyof typeof BINARY];

/** One constraint that carries a constant θ: v = op(parent; θ). */
export interface WithConstant {
  readonly op: 'shift' | 'scale' | 'square' | 'powc';
  readonly parent: number;
  readonly constant: number;
}

/**
 * How `a ∘ b` is recorded when one side is a known constant (`ca` or `cb`; undefined marks a
 * variable, so that no number, NaN included, can pass for one): x + 2 is
 * shift(x; 2), 2·x is scale(x; 2), x − 2 is shift(x; −2), x² is square(x), x^θ is powc(x; θ).
 * Returns null when no single θ-carrying primitive applies (2 − x, x / 2, 2^x), which then record
 * the constant as a variable. Saves a variable and a multiplier per constant.
 */
export function withConstant(
  op: BinaryPrimitive,
  a: number,
  ca: number | undefined,
  b: number,
  cb: number | undefined,
): WithConstant | null {
  if ((ca === undefined) === (cb === undefined)) return null;
  switch (op) {
    case 'add':
      return ca !== undefined ? { op: 'shift', parent: b, constant: ca } : { op: 'shift', parent: a, constant: cb! };
    case 'mul':
      return ca !== undefined ? { op: 'scale', parent: b, constant: ca } : { op: 'scale', parent: a, constant: cb! };
    case 'sub':
      return cb !== undefined ? { op: 'shift', parent: a, constant: -cb } : null;
    case 'pow':
      return cb !== undefined ? { op: cb === 2 ? 'square' : 'powc', parent: a, constant: cb === 2 ? 0 : cb } : null;
    default:
      return null;
  }
}
