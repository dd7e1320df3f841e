import fc from 'fast-check';

// Random `.lag` programs for differential testing: every variable one primitive applied to inputs,
// constants and other variables — earlier ones (acyclic), and sometimes later ones or itself (a
// cycle) — at points and with constants drawn to reach the edges of Float64: 0, ±1, huge and tiny
// magnitudes, values where a partial does not exist. Every schedule must then agree, or refuse
// the same way.

/** A program text and its point. */
export interface DrawnProgram {
  readonly text: string;
  readonly at: Record<string, number>;
}

const OPS: readonly (readonly [string, number])[] = [
  ['add', 2],
  ['sub', 2],
  ['mul', 2],
  ['div', 2],
  ['neg', 1],
  ['square', 1],
  ['pow', 2],
  ['sqrt', 1],
  ['exp', 1],
  ['log', 1],
  ['sin', 1],
  ['cos', 1],
  ['tan', 1],
  ['tanh', 1],
  ['sigmoid', 1],
  ['relu', 1],
  ['abs', 1],
  ['max', 2],
  ['min', 2],
  ['sum', 3],
];

/** Magnitudes at the edges as well as ordinary ones. */
export const edgyNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -3000, max: 3000 }).map((k) => k / 1000) },
  { weight: 3, arbitrary: fc.constantFrom(0, 1, -1, 2, 0.5, -0.5, 3) },
  { weight: 1, arbitrary: fc.constantFrom(1e-300, 1e-8, 1e8, 1e150, 1e200, 1e300, -1e200, 5e-324) },
);

interface Draw {
  readonly inputs: readonly number[];
  readonly steps: readonly {
    op: number;
    args: readonly number[];
    constants: readonly number[];
    kinds: readonly number[];
    scale: number;
  }[];
  readonly cyclic: boolean;
}

/** A random program; `cycles` allows references to later variables and to itself. */
export function drawnProgram(options: { cycles?: boolean; constraints?: number } = {}): fc.Arbitrary<DrawnProgram> {
  const step = fc.record({
    op: fc.nat({ max: OPS.length - 1 }),
    args: fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
    constants: fc.array(edgyNumber, { minLength: 3, maxLength: 3 }),
    // Per argument: 0–5 an earlier variable or input, 6 a constant, 7 a later variable (cycles only).
    kinds: fc.array(fc.nat({ max: 7 }), { minLength: 3, maxLength: 3 }),
    scale: fc.constantFrom(1, 1, 1, 0.5, 1e200, 1e-200),
  });
  return fc
    .record({
      inputs: fc.array(edgyNumber, { minLength: 1, maxLength: 3 }),
      steps: fc.array(step, { minLength: 1, maxLength: options.constraints ?? 10 }),
      cyclic: options.cycles ? fc.boolean() : fc.constant(false),
    })
    .map(write);
}

function write({ inputs, steps, cyclic }: Draw): DrawnProgram {
  const lines: string[] = [];
  const at: Record<string, number> = {};
  inputs.forEach((x, k) => {
    lines.push(`input x${k}`);
    at[`x${k}`] = x;
  });
  steps.forEach((s, i) => {
    const [op, arity] = OPS[s.op];
    const args = Array.from({ length: arity }, (_, q) => {
      const kind = s.kinds[q];
      if (kind === 6) return String(s.constants[q]);
      if (kind === 7 && cyclic) return `v${s.args[q] % steps.length}`;
      const pool = inputs.length + i;
      const pick = s.args[q] % pool;
      return pick < inputs.length ? `x${pick}` : `v${pick - inputs.length}`;
    });
    const call = `${op}(${args.join(', ')})`;
    lines.push(`v${i} = ${s.scale === 1 ? call : `${s.scale} * ${call}`}`);
  });
  lines.push(`output v${steps.length - 1}`);
  return { text: lines.join('\n'), at };
}
