import type { BlockPrimitive } from '../primitive.ts';
import { matmul } from './matmul.ts';
import { logsumexp, mean, softmaxCrossEntropy, transpose } from './reductions.ts';

// The built-in primitives that exist only on blocks (DESIGN §9). Every scalar primitive also acts
// on blocks, entry by entry (entrywise.ts), and `sum` totals every entry (builtins.ts).

/** The built-in block primitives, registered after the scalar ones. */
export const blockPrimitives: readonly BlockPrimitive[] = [
  {
    name: 'matmul',
    arity: 2,
    block: matmul,
    doc: 'A @ B: [m,k]@[k,n] → [m,n], [m,k]@[k] → [m], [k]@[k,n] → [n], [k]@[k] → scalar',
  },
  { name: 'transpose', arity: 1, block: transpose, doc: 'Aᵀ' },
  { name: 'mean', arity: 1, block: mean, doc: 'the mean of every entry → scalar' },
  { name: 'logsumexp', arity: 1, block: logsumexp, doc: 'log Σ exp(A) over every entry → scalar' },
  {
    name: 'softmax_cross_entropy',
    arity: 2,
    block: softmaxCrossEntropy,
    doc: 'mean over rows of logsumexp(Z_r) − Σ Y_r∘Z_r → scalar',
  },
];
