import { binary, call, type Operand, type Var } from './trace.ts';

// The operations of `trace` as free functions, one per built-in primitive: `sin(add(x, 1))`.
// Their names (log, sum, max …) are everyday words, so the package groups them: `ops.sin` from the
// root, or `import { sin } from 'lagrad/ops'`.

export { call };
export const add = (a: Operand, b: Operand) => binary('add', a, b);
export const sub = (a: Operand, b: Operand) => binary('sub', a, b);
export const mul = (a: Operand, b: Operand) => binary('mul', a, b);
export const div = (a: Operand, b: Operand) => binary('div', a, b);
export const pow = (a: Operand, b: Operand) => binary('pow', a, b);
export const neg = (a: Var) => call('neg', a);
export const square = (a: Var) => call('square', a);
export const sqrt = (a: Var) => call('sqrt', a);
export const exp = (a: Var) => call('exp', a);
export const log = (a: Var) => call('log', a);
export const sin = (a: Var) => call('sin', a);
export const cos = (a: Var) => call('cos', a);
export const tan = (a: Var) => call('tan', a);
export const tanh = (a: Var) => call('tanh', a);
export const sigmoid = (a: Var) => call('sigmoid', a);
export const relu = (a: Var) => call('relu', a);
export const abs = (a: Var) => call('abs', a);
export const max = (a: Operand, b: Operand) => call('max', a, b);
export const min = (a: Operand, b: Operand) => call('min', a, b);
/** a₁ + … + aₙ; on vectors and matrices, the total of every entry (sum(A) → scalar). */
export const sum = (...terms: Operand[]) => call('sum', ...terms);

// ── vectors and matrices (DESIGN §9); every function above also acts entry by entry ─────────
/** A @ B: [m,k]@[k,n] → [m,n], [m,k]@[k] → [m], [k]@[k,n] → [n], [k]@[k] → scalar. */
export const matmul = (a: Var, b: Var) => binary('matmul', a, b);
export const transpose = (a: Var) => call('transpose', a);
/** The mean of every entry → scalar. */
export const mean = (a: Var) => call('mean', a);
/** log Σ exp over every entry → scalar. */
export const logsumexp = (a: Var) => call('logsumexp', a);
/** The mean over rows of logsumexp(Z_r) − Σ Y_r∘Z_r: logits Z and targets Y of one shape → scalar. */
export const softmax_cross_entropy = (logits: Var, targets: Var) => call('softmax_cross_entropy', logits, targets);
/** softmax_cross_entropy under its camelCase name. */
export const softmaxCrossEntropy = softmax_cross_entropy;
