import fc from 'fast-check';
import { ProgramBuilder } from '../../src/program/builder.ts';
import type { Program } from '../../src/program/program.ts';

// Random cyclic programs built to contract, for property tests. Inputs feed an acyclic prefix, then
// one to three cyclic components, each member of which is
//     u_r = φ_r( Σ_s a_rs u_s + Σ_t b_rt z_t + β_r ),   φ_r ∈ {tanh, sin},  |φ'| ≤ 1,
// over earlier variables z (inputs, prefix, earlier components), then an output mixing members and
// prefix. Each row of couplings has Σ_s |a_rs| ≤ ρ < 1 (the contraction, default 0.7), so the map
// u ↦ φ(A u + …) contracts in the ∞-norm: the fixed point exists, is unique, and every iteration in
// lagrad (Gauss–Seidel, Jacobi, its adjoints) converges. A ring u_1 → u_2 → … → u_m → u_1 of nonzero
// couplings makes each component strongly connected. Written with placeholders, as the parser does.

/** A random cyclic program with its point and `.lag` text. */
export interface RandomCyclic {
  readonly program: Program;
  /** Input values in the program's input order (also the defaults in `text`). */
  readonly inputs: Float64Array;
  readonly at: Record<string, number>;
  /** The same equations as a `.lag` file (parsed, sums become chains of additions). */
  readonly text: string;
  /** Members per component, in order of construction. */
  readonly members: readonly number[];
}

export interface CyclicShape {
  readonly inputs?: number;
  readonly components?: number;
  /** Most members per component (default 5). */
  readonly members?: number;
  /** Σ_s |a_rs| of every member (default 0.7). */
  readonly contraction?: number;
}

const unit = fc.integer({ min: 0, max: 2 ** 30 - 1 }).map((k) => k / 2 ** 30);
const signed = unit.map((u) => 2 * u - 1);

interface ComponentDraw {
  readonly size: number;
  readonly couplings: number[];
  readonly outside: number[];
  readonly picks: number[];
  readonly shifts: number[];
  readonly squash: number[];
  readonly inits: number[];
}

/** A fast-check arbitrary of contracting cyclic programs. */
export function arbitraryCyclicProgram(shape: CyclicShape = {}): fc.Arbitrary<RandomCyclic> {
  const maxInputs = shape.inputs ?? 3;
  const maxMembers = shape.members ?? 5;
  const rho = shape.contraction ?? 0.7;
  const component = fc.record({
    size: fc.integer({ min: 1, max: maxMembers }),
    couplings: fc.array(signed, { minLength: maxMembers * maxMembers, maxLength: maxMembers * maxMembers }),
    outside: fc.array(signed, { minLength: 2 * maxMembers, maxLength: 2 * maxMembers }),
    picks: fc.array(fc.nat(), { minLength: 2 * maxMembers, maxLength: 2 * maxMembers }),
    shifts: fc.array(signed, { minLength: maxMembers, maxLength: maxMembers }),
    squash: fc.array(fc.nat(1), { minLength: maxMembers, maxLength: maxMembers }),
    inits: fc.array(signed, { minLength: maxMembers, maxLength: maxMembers }),
  });
  return fc
    .record({
      inputs: fc.array(
        signed.map((u) => 1.5 * u),
        { minLength: 1, maxLength: maxInputs },
      ),
      prefix: fc.array(fc.record({ op: fc.nat(3), a: fc.nat(), b: fc.nat() }), { maxLength: 4 }),
      components: fc.array(component, { minLength: 1, maxLength: shape.components ?? 3 }),
      outputPicks: fc.array(fc.nat(), { minLength: 2, maxLength: 2 }),
      weights: fc.array(signed, { minLength: 2, maxLength: 2 }),
    })
    .map((draw) => build(draw.inputs, draw.prefix, draw.components, draw.outputPicks, draw.weights, rho));
}

function build(
  inputs: number[],
  prefix: { op: number; a: number; b: number }[],
  components: ComponentDraw[],
  outputPicks: number[],
  weights: number[],
  rho: number,
): RandomCyclic {
  const b = new ProgramBuilder('cyclic.lag');
  const lines: string[] = [];
  const earlier: { index: number; name: string }[] = [];
  inputs.forEach((x, k) => {
    const name = `x${k}`;
    earlier.push({ index: b.input(name, x), name });
    lines.push(`input ${name} = ${x}`);
  });
  prefix.forEach((p, k) => {
    const a = earlier[p.a % earlier.length];
    const c = earlier[p.b % earlier.length];
    const name = `a${k}`;
    const [index, text] =
      p.op === 0
        ? [b.apply('mul', b.apply('sin', a.index), c.index), `sin(${a.name}) * ${c.name}`]
        : p.op === 1
          ? [b.apply('tanh', b.apply('add', a.index, c.index)), `tanh(${a.name} + ${c.name})`]
          : p.op === 2
            ? [b.apply('exp', b.apply('scale', a.index, undefined, 0.3)), `exp(0.3 * ${a.name})`]
            : [b.apply('cos', b.apply('mul', a.index, c.index)), `cos(${a.name} * ${c.name})`];
    b.name(index, name);
    earlier.push({ index, name });
    lines.push(`${name} = ${text}`);
  });
  const members: number[] = [];
  let placeholder = 0;
  components.forEach((draw, c) => {
    const m = draw.size;
    members.push(m);
    const first = placeholder;
    placeholder += m;
    const names = Array.from({ length: m }, (_, r) => `u${c}_${r}`);
    const built: number[] = [];
    for (let r = 0; r < m; r++) {
      // Couplings of row r: the ring edge from r − 1 at least 0.2 in size, then scaled so Σ|a| = ρ.
      const row = Array.from({ length: m }, (_, s) => draw.couplings[r * m + s]);
      const ring = (r + m - 1) % m;
      row[ring] = Math.sign(row[ring] || 1) * Math.max(0.2, Math.abs(row[ring]));
      const total = row.reduce((sum, a) => sum + Math.abs(a), 0);
      const a = row.map((x) => (x * rho) / total);
      const terms: number[] = [];
      const texts: string[] = [];
      for (let s = 0; s < m; s++) {
        if (a[s] === 0 || (s !== ring && Math.abs(a[s]) < 0.02)) continue;
        terms.push(b.apply('scale', b.placeholder(first + s), undefined, a[s]));
        texts.push(`(${a[s]}) * ${names[s]}`);
      }
      for (let t = 0; t < 2; t++) {
        const z = earlier[draw.picks[2 * r + t] % earlier.length];
        const coefficient = draw.outside[2 * r + t];
        terms.push(b.apply('scale', z.index, undefined, coefficient));
        texts.push(`(${coefficient}) * ${z.name}`);
      }
      const inner = b.apply('shift', b.applyMany('sum', terms), undefined, draw.shifts[r]);
      const squash = draw.squash[r] === 0 ? 'tanh' : 'sin';
      const index = b.apply(squash, inner);
      b.name(index, names[r]);
      b.init(index, draw.inits[r]);
      built.push(index);
      lines.push(
        `init ${names[r]} = ${draw.inits[r]}`,
        `${names[r]} = ${squash}(${texts.join(' + ')} + (${draw.shifts[r]}))`,
      );
    }
    b.resolve((k) => (k >= first && k < first + m ? built[k - first] : -1));
    built.forEach((index, r) => earlier.push({ index, name: names[r] }));
  });
  // The output: w₀·(a late member) + w₁·(anything earlier), as one variable.
  const late = earlier[earlier.length - 1 - (outputPicks[0] % Math.min(3, earlier.length))];
  const any = earlier[outputPicks[1] % earlier.length];
  const out = b.apply(
    'add',
    b.apply('scale', late.index, undefined, weights[0]),
    b.apply('scale', any.index, undefined, weights[1]),
  );
  b.name(out, 'y');
  b.output(out);
  lines.push(`y = (${weights[0]}) * ${late.name} + (${weights[1]}) * ${any.name}`, 'output y');
  const program = b.build();
  const at = Object.fromEntries(inputs.map((x, k) => [`x${k}`, x]));
  const text = lines.join('\n') + '\n';
  return {
    program,
    inputs: Float64Array.from(program.inputNames, (name) => at[name]),
    at,
    text,
    members,
    [fc.toStringMethod]: () => text,
  } as RandomCyclic;
}
