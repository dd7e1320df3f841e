import fc from 'fast-check';
import { ProgramBuilder } from '../../src/program/builder.ts';
import type { Program } from '../../src/program/program.ts';
import { formatShape, sizeOf, type Shape } from '../../src/program/shape.ts';

// Random cyclic programs over vectors and matrices, built to contract, for property tests. Inputs
// x (a vector), then one or two cyclic components, each of one to three block states z_r of one
// shape S ([n] or [n, k], extents 1–4), each
//     z_r = φ_r( Σ_s M_rs @ z_s + γ_r · z_(r−1) + B_r @ x + β_r ),   φ_r ∈ {tanh, sin}, |φ'| ≤ 1,
// the couplings M_rs ([n, n] input matrices, their values part of the point) and γ_r (a constant)
// scaled so that every row of the map has Σ |coefficients| ≤ ρ < 1 (default 0.7): the map is an
// ∞-norm contraction of the states, so the fixed point exists, is unique, and every iteration in
// lagrad (Gauss–Seidel, Jacobi, Newton, the adjoint iterations) converges — with intermediates too,
// as |J| then has a positive vector u with |J|u < u. A ring z_(r−1) → z_r makes each component
// strongly connected; the second component reads the first. Starts are `init z = θ` (shapes
// inferred), `init z[n] = θ` (declared), or a block of entries (builder only). The objective sums
// products of the states. Written with placeholders, as the parser does, and as a `.lag` text.

/** A random block cyclic program with its point and `.lag` text. */
export interface RandomBlockCycle {
  readonly program: Program;
  /** Input values by name: vectors as lists, matrices as lists of rows. */
  readonly at: Record<string, number[] | number[][]>;
  /** The same equations as a `.lag` file (a block init becomes `init z[n] = θ`: only `program` starts from entries). */
  readonly text: string;
  /** True when some state starts from a block of entries (the text then starts elsewhere). */
  readonly blockInit: boolean;
}

const unit = fc.integer({ min: 0, max: 2 ** 30 - 1 }).map((k) => k / 2 ** 30);
const signed = unit.map((u) => Number((2 * u - 1).toFixed(4)));

interface ComponentDraw {
  readonly states: number;
  readonly n: number;
  readonly k: number;
  readonly matrix: boolean;
  readonly coefficients: number[];
  readonly squash: number[];
  readonly starts: number[];
  readonly startKind: number[];
}

/** A fast-check arbitrary of contracting cyclic block programs. */
export function arbitraryBlockCycle(options: { contraction?: number } = {}): fc.Arbitrary<RandomBlockCycle> {
  const rho = options.contraction ?? 0.7;
  const component = fc.record({
    states: fc.integer({ min: 1, max: 3 }),
    n: fc.integer({ min: 1, max: 4 }),
    k: fc.integer({ min: 2, max: 3 }),
    matrix: fc.boolean(),
    coefficients: fc.array(signed, { minLength: 3 * 3 * 16 + 3 * 16 + 3, maxLength: 3 * 3 * 16 + 3 * 16 + 3 }),
    squash: fc.array(fc.nat(1), { minLength: 3, maxLength: 3 }),
    starts: fc.array(signed, { minLength: 3 * 12, maxLength: 3 * 12 }),
    startKind: fc.array(fc.nat(2), { minLength: 3, maxLength: 3 }),
  });
  return fc
    .record({
      m: fc.integer({ min: 1, max: 3 }),
      x: fc.array(signed, { minLength: 3, maxLength: 3 }),
      components: fc.array(component, { minLength: 1, maxLength: 2 }),
    })
    .map(({ m, x, components }) => build(x.slice(0, m), components, rho));
}

function build(x: number[], components: ComponentDraw[], rho: number): RandomBlockCycle {
  const b = new ProgramBuilder('cycle.lag');
  const lines: string[] = [];
  const at: Record<string, number[] | number[][]> = {};
  const matrixInput = (name: string, rows: number, cols: number, entries: (r: number, c: number) => number) => {
    at[name] = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => entries(r, c)));
    lines.push(`input ${name}[${rows}, ${cols}]`);
    return b.input(name, [rows, cols]);
  };
  at.x = x;
  lines.push(`input x[${x.length}]`);
  const xi = b.input('x', [x.length]);
  let placeholder = 0;
  let blockInit = false;
  const finals: { index: number; name: string; shape: Shape }[] = [];
  components.forEach((draw, c) => {
    const { states, n } = draw;
    const shape: Shape = draw.matrix ? [n, draw.k] : [n];
    const names = Array.from({ length: states }, (_, r) => `z${c}_${r}`);
    const first = placeholder;
    placeholder += states;
    const built: number[] = [];
    let q = 0;
    const next = () => draw.coefficients[q++ % draw.coefficients.length];
    for (let r = 0; r < states; r++) {
      // Raw couplings: M_rs (n × n) for every state s, γ on the ring's predecessor; then rows scaled to Σ|·| = ρ.
      const raw = Array.from({ length: states }, () =>
        Array.from({ length: n }, () => Array.from({ length: n }, next)),
      );
      const gamma = states > 1 ? next() || 0.5 : 0;
      const scale = Array.from({ length: n }, (_, i) => {
        let total = Math.abs(gamma);
        for (let s = 0; s < states; s++) for (let j = 0; j < n; j++) total += Math.abs(raw[s][i][j]);
        return total > 0 ? rho / total : 0;
      });
      // The ring edge z_(r−1) → z_r through M when there is one state (M_00 is then the loop).
      const terms: number[] = [];
      const texts: string[] = [];
      for (let s = 0; s < states; s++) {
        const name = `M${c}_${r}${s}`;
        const M = matrixInput(name, n, n, (i, j) => Number((raw[s][i][j] * scale[i]).toFixed(6)));
        terms.push(b.apply('matmul', M, b.placeholder(first + s)));
        texts.push(`${name} @ ${names[s]}`);
      }
      if (states > 1) {
        const g = Number((gamma * Math.min(...scale)).toFixed(6));
        terms.push(b.apply('scale', b.placeholder(first + ((r + states - 1) % states)), undefined, g));
        texts.push(`(${g}) * ${names[(r + states - 1) % states]}`);
      }
      // What flows in: B_r @ x (a vector, added to every row of a matrix state), and the previous
      // component's last state when the shapes agree.
      const B = matrixInput(`B${c}_${r}`, shape[shape.length - 1], x.length, () => next());
      const drive = b.apply('matmul', B, xi);
      terms.push(drive);
      texts.push(`B${c}_${r} @ x`);
      const earlier = finals.at(-1);
      if (
        earlier &&
        earlier.shape.length === shape.length &&
        sizeOf(earlier.shape) === sizeOf(shape) &&
        earlier.shape.every((d, e) => d === shape[e])
      ) {
        terms.push(b.apply('scale', earlier.index, undefined, 0.5));
        texts.push(`0.5 * ${earlier.name}`);
      }
      let sum = terms[0];
      for (let t = 1; t < terms.length; t++) sum = b.apply('add', sum, terms[t]);
      const squash = draw.squash[r] === 0 ? 'tanh' : 'sin';
      const index = b.apply(squash, sum);
      b.name(index, names[r]);
      built.push(index);
      lines.push(`${names[r]} = ${squash}(${texts.join(' + ')})`);
      const start = draw.starts[r];
      const kind = draw.startKind[r];
      lines.push(kind === 0 ? `init ${names[r]} = ${start}` : `init ${names[r]}${formatShape(shape)} = ${start}`);
      if (kind === 2) {
        blockInit = true;
        b.init(
          index,
          Float64Array.from({ length: sizeOf(shape) }, (_, e) => draw.starts[(r * 12 + e) % draw.starts.length]),
          shape,
        );
      } else {
        b.init(index, start, kind === 1 ? shape : undefined);
      }
    }
    b.resolve((k) => built[k - first]);
    built.forEach((index, r) => finals.push({ index, name: names[r], shape }));
  });
  // The objective: Σ over states of sum(z ∘ z) plus the sum of the last state's sines.
  const parts = finals.map((f) => b.applyMany('sum', [b.apply('mul', f.index, f.index)]));
  const last = finals.at(-1)!;
  parts.push(b.applyMany('sum', [b.apply('sin', last.index)]));
  let y = parts[0];
  for (let t = 1; t < parts.length; t++) y = b.apply('add', y, parts[t]);
  b.name(y, 'y');
  b.output(y);
  lines.push(
    `y = ${[...finals.map((f) => `sum(${f.name} * ${f.name})`), `sum(sin(${last.name}))`].join(' + ')}`,
    'output y',
  );
  const program = b.build();
  const text = lines.join('\n') + '\n';
  return {
    program,
    at,
    text,
    blockInit,
    [fc.toStringMethod]: () => `${text}at ${JSON.stringify(at)}`,
  } as RandomBlockCycle;
}
