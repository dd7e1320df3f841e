// The workloads, as plain data every system builds its own representation from: the same seed gives
// the same program for lagrad, the hand-written tape, the object graph and TF.js.

/** Benchmark op codes: the primitives the workloads use, numbered for this folder only. */
export const Op = { add: 0, sub: 1, mul: 2, sin: 3, cos: 4, tanh: 5, sigmoid: 6, scale: 7, exp: 8, square: 9 } as const;
/** The lagrad primitive of each benchmark op code (same names as the built-ins). */
export const OP_NAMES = ['add', 'sub', 'mul', 'sin', 'cos', 'tanh', 'sigmoid', 'scale', 'exp', 'square'] as const;
/** Ops with two parents; the rest take one. */
export const binary = (op: number) => op <= Op.mul;

/**
 * A scalar program as data: variables 0 … inputs − 1 are inputs, variable i ≥ inputs is
 * op[i](v[a[i]], v[b[i]]; c[i]) with a[i], b[i] < i (b[i] = −1 for a unary op). Output: the last variable.
 */
export interface Dag {
  readonly name: string;
  readonly inputs: number;
  readonly size: number;
  readonly op: Uint8Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly c: Float64Array;
  /** The point: one value per input. */
  readonly x: Float64Array;
  /** Input names, x0 … (lagrad names the inputs so gradients can be read by name). */
  readonly inputNames: readonly string[];
}

/** A small, fast, seeded generator (mulberry32): uniform in [0, 1). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The op mix of the random programs: squashing unaries (sin, cos, tanh, sigmoid) keep values and
// multipliers of order one over 10⁷ variables, so float32 TF.js can be compared as well.
const MIX: readonly number[] = [
  Op.add,
  Op.add,
  Op.sub,
  Op.mul,
  Op.mul,
  Op.sin,
  Op.cos,
  Op.tanh,
  Op.tanh,
  Op.sigmoid,
  Op.scale,
];
/** Parent a is one of the WINDOW previous variables (local, like most code); b is any earlier one. */
const WINDOW = 16;

/** Receives one constraint of a random program: v_i = op(v_a, v_b; c), b = −1 for a unary op. */
export type Visit = (i: number, op: number, a: number, b: number, c: number) => void;

/**
 * Streams a random scalar DAG of `size` variables: draws the point (returned), then each new
 * variable applies a primitive from the mix to one or two earlier variables. The same
 * (size, inputs, seed) gives the same program; streaming lets a consumer fill exactly sized arrays.
 */
export function eachRandomConstraint(size: number, inputs: number, seed: number, visit: Visit): Float64Array {
  const rand = random(seed);
  const x = new Float64Array(inputs);
  for (let k = 0; k < inputs; k++) x[k] = 2 * rand() - 1;
  for (let i = inputs; i < size; i++) {
    const op = MIX[Math.floor(rand() * MIX.length)];
    const a = i - 1 - Math.floor(rand() * Math.min(i, WINDOW));
    const b = binary(op) ? Math.floor(rand() * i) : -1;
    // Three decimals, so the `.lag` text of the program states θ exactly.
    const c = op === Op.scale ? ((rand() < 0.5 ? -1 : 1) * Math.round(500 + 500 * rand())) / 1000 : 0;
    visit(i, op, a, b, c);
  }
  return x;
}

/**
 * The benchmark's workloads, which differ in where the parents are:
 * - `far`: one parent among the 16 before, the other anywhere earlier (eachRandomConstraint);
 * - `near`: every parent among the NEAR variables before (eachNearConstraint);
 * - `layered`: levels of WIDTH variables, each reading the level before it (eachLayeredConstraint).
 */
export const WORKLOADS = ['far', 'near', 'layered'] as const;
export type Workload = (typeof WORKLOADS)[number];

// The near and layered workloads use issue 14's ops (mul add sub sin cos tanh), weighted so that
// values and multipliers stay bounded over 10⁷ variables: with equal weights the multipliers
// overflow (|λ| ~ 1e35 at N = 10⁵, NaN at 10⁶), as sums over exponentially many paths do.
const LOCAL_MIX: readonly number[] = [Op.mul, Op.mul, Op.mul, Op.add, Op.sub, Op.sin, Op.cos, Op.tanh, Op.tanh];
/** Parents of a `near` variable are among this many variables before it. */
export const NEAR = 64;
/** Variables per level of the `layered` workload. */
export const WIDTH = 1000;

/**
 * Streams a near or layered DAG in blocks (NEAR variables, or one level). The last variable of
 * each block is an accumulator, s_k = s_{k−1} + (one variable of its block's reach); the output is
 * the last accumulator. It injects λ = 1 into every block, so that over the depth of 10⁷ variables
 * multipliers neither vanish (to exact zeros, which reverse sweeps skip) nor overflow. Ordinary
 * variables never read an accumulator (its value grows like a sum), taking a neighbour in reach.
 */
function eachBlockConstraint(
  size: number,
  inputs: number,
  seed: number,
  block: number,
  reach: (i: number) => readonly [number, number],
  visit: Visit,
): Float64Array {
  const rand = random(seed);
  const x = new Float64Array(inputs);
  for (let k = 0; k < inputs; k++) x[k] = 2 * rand() - 1;
  const accumulator = (j: number) => j >= inputs && (size - 1 - j) % block === 0;
  for (let i = inputs; i < size; i++) {
    const [start, end] = reach(i);
    const pick = () => {
      const j = start + Math.floor(rand() * (end - start));
      return accumulator(j) ? (j > start ? j - 1 : j + 1) : j;
    };
    if (accumulator(i)) {
      const a = pick();
      visit(i, Op.add, a, i - block >= inputs ? i - block : pick(), 0);
      continue;
    }
    const op = LOCAL_MIX[Math.floor(rand() * LOCAL_MIX.length)];
    const a = pick();
    visit(i, op, a, binary(op) ? pick() : -1, 0);
  }
  return x;
}

/** `near`: each parent among the NEAR variables before (cache-local, like most straight-line code). */
export function eachNearConstraint(size: number, inputs: number, seed: number, visit: Visit): Float64Array {
  return eachBlockConstraint(size, inputs, seed, NEAR, (i) => [Math.max(0, i - NEAR), i], visit);
}

/**
 * `layered`: after the inputs, levels of WIDTH variables; each reads one or two variables of the
 * level before it (the first level reads the inputs), so the variables of a level are independent.
 */
export function eachLayeredConstraint(size: number, inputs: number, seed: number, visit: Visit): Float64Array {
  return eachBlockConstraint(
    size,
    inputs,
    seed,
    WIDTH,
    (i) => {
      const level = Math.floor((i - inputs) / WIDTH);
      return level === 0 ? [0, inputs] : [inputs + (level - 1) * WIDTH, inputs + level * WIDTH];
    },
    visit,
  );
}

/** Streams the constraints of a workload (see WORKLOADS); returns the point. */
export function eachConstraint(
  workload: Workload,
  size: number,
  inputs: number,
  seed: number,
  visit: Visit,
): Float64Array {
  const each =
    workload === 'far' ? eachRandomConstraint : workload === 'near' ? eachNearConstraint : eachLayeredConstraint;
  return each(size, inputs, seed, visit);
}

/** A workload's DAG as arrays. */
export function workloadDag(workload: Workload, size: number, inputs: number, seed: number): Dag {
  const op = new Uint8Array(size);
  const a = new Int32Array(size).fill(-1);
  const b = new Int32Array(size).fill(-1);
  const c = new Float64Array(size);
  const x = eachConstraint(workload, size, inputs, seed, (i, o, p, q, t) => {
    op[i] = o;
    a[i] = p;
    b[i] = q;
    c[i] = t;
  });
  return { name: workload, inputs, size, op, a, b, c, x, inputNames: inputNames(inputs) };
}

/** The `far` workload's DAG (eachRandomConstraint), as arrays. */
export function randomDag(size: number, inputs: number, seed: number): Dag {
  return workloadDag('far', size, inputs, seed);
}

/** The lecture's f(x, y, z) = z + sin(x² + y·exp(z)) at (2, −1, 0), written out as constraints. */
export function lectureDag(): Dag {
  const rows: [number, number, number][] = [
    [Op.square, 0, -1], // a = x²
    [Op.exp, 2, -1], // b = exp(z)
    [Op.mul, 1, 4], // c = y·b
    [Op.add, 3, 5], // d = a + c
    [Op.sin, 6, -1], // e = sin(d)
    [Op.add, 2, 7], // g = z + e
  ];
  const size = 3 + rows.length;
  const op = new Uint8Array(size);
  const a = new Int32Array(size).fill(-1);
  const b = new Int32Array(size).fill(-1);
  rows.forEach(([o, p, q], k) => {
    op[3 + k] = o;
    a[3 + k] = p;
    b[3 + k] = q;
  });
  return {
    name: 'lecture',
    inputs: 3,
    size,
    op,
    a,
    b,
    c: new Float64Array(size),
    x: Float64Array.of(2, -1, 0),
    inputNames: ['x', 'y', 'z'],
  };
}

/** x0, x1, …: the inputs' names. */
export function inputNames(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `x${k}`);
}
