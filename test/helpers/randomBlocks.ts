import fc from 'fast-check';
import { ProgramBuilder } from '../../src/program/builder.ts';
import type { Program } from '../../src/program/program.ts';
import { broadcast, formatShape, sizeOf, type Shape } from '../../src/program/shape.ts';

// Random acyclic programs over vectors and matrices for property tests: inputs of random shapes
// (scalars, [n], [m, n] with extents 1–4), then constraints drawn from the smooth primitives —
// entrywise functions, entrywise arithmetic with broadcasting, scalar constants, `@` in all its
// shape cases, transpose and the reductions — each applied only to arguments whose shapes fit.
// The objective totals a few of the last variables (sum, mean or logsumexp), so it is a scalar
// that depends on much of the program. Values stay moderate: inputs in [−1, 1], tanh and sin
// between products.

/** A random block program with its point and `.lag` text (the same program, parsed). */
export interface RandomBlockProgram {
  readonly program: Program;
  /** Input values by name, as nested lists (number, number[], number[][]). */
  readonly at: Record<string, number | number[] | number[][]>;
  /** The input slab in program order. */
  readonly inputs: Float64Array;
  /** The program as `.lag` text (inputs declared with their shapes, values in `at`). */
  readonly text: string;
}

const unit = fc.integer({ min: 0, max: 2 ** 30 - 1 }).map((k) => k / 2 ** 30);

const UNARY = ['tanh', 'sin', 'cos', 'sigmoid', 'neg', 'square', 'exp'] as const;
const BINARY = ['add', 'sub', 'mul'] as const;
const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*', matmul: '@' };
const KINDS = ['unary', 'binary', 'matmul', 'transpose', 'scale', 'reduce', 'sce'] as const;

interface Draw {
  kind: number;
  op: number;
  a: number;
  b: number;
  theta: number;
}

/** A fast-check arbitrary of random block programs. */
export function arbitraryBlockProgram(
  options: { inputs?: number; constraints?: number } = {},
): fc.Arbitrary<RandomBlockProgram> {
  const maxInputs = options.inputs ?? 4;
  const dims = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 2 });
  const input = fc.record({
    rank: fc.integer({ min: 0, max: 2 }),
    dims,
    entries: fc.array(unit, { minLength: 16, maxLength: 16 }),
  });
  const step = fc.record({ kind: fc.nat(), op: fc.nat(), a: fc.nat(), b: fc.nat(), theta: unit });
  return fc
    .record({
      inputs: fc.array(input, { minLength: 1, maxLength: maxInputs }),
      steps: fc.array(step, { minLength: 1, maxLength: options.constraints ?? 10 }),
      total: fc.nat(),
    })
    .map(({ inputs, steps, total }) => build(inputs, steps, total));
}

function build(
  drawn: { rank: number; dims: number[]; entries: number[] }[],
  steps: Draw[],
  total: number,
): RandomBlockProgram {
  const b = new ProgramBuilder('random.lag');
  const shapes: Shape[] = [];
  const names: string[] = [];
  const lines: string[] = [];
  const at: Record<string, number | number[] | number[][]> = {};
  // Always one matrix and one vector among the inputs, so products and broadcasting happen.
  const specs = [
    ...drawn,
    { rank: 2, dims: [3, 2], entries: drawn[0].entries },
    { rank: 1, dims: [2, 1], entries: drawn[0].entries },
  ];
  specs.forEach((spec, k) => {
    const shape = spec.dims.slice(0, spec.rank);
    const name = `x${k}`;
    const entries = Array.from({ length: sizeOf(shape) }, (_, e) => -1 + 2 * spec.entries[e % 16]);
    at[name] =
      shape.length === 0
        ? entries[0]
        : shape.length === 1
          ? entries
          : Array.from({ length: shape[0] }, (_, r) => entries.slice(r * shape[1], (r + 1) * shape[1]));
    b.input(name, shape);
    shapes.push(shape);
    names.push(name);
    lines.push(`input ${name}${shape.length ? formatShape(shape) : ''}`);
  });
  const record = (i: number, shape: Shape, text: string) => {
    const name = `v${i}`;
    b.name(i, name);
    shapes[i] = shape;
    names[i] = name;
    lines.push(`${name} = ${text}`);
  };
  for (const s of steps) {
    const n = shapes.length;
    const a = n - 1 - (s.a % Math.min(n, 4)); // mostly recent variables: deep chains
    const kind = KINDS[s.kind % KINDS.length];
    if (kind === 'unary') {
      const op = UNARY[s.op % UNARY.length];
      record(b.apply(op, a), shapes[a], `${op}(${names[a]})`);
    } else if (kind === 'binary') {
      const op = BINARY[s.op % BINARY.length];
      const partner = pick(shapes, s.b, (t) => broadcast(shapes[a], t) !== null) ?? a;
      const shape = broadcast(shapes[a], shapes[partner])!;
      record(b.apply(op, a, partner), shape, `${names[a]} ${INFIX[op]} ${names[partner]}`);
    } else if (kind === 'matmul') {
      const left = shapes[a];
      if (left.length === 0) continue;
      const k = left[left.length - 1];
      const right = pick(shapes, s.b, (t) => t.length > 0 && t[0] === k);
      if (right === null) continue;
      const r = shapes[right];
      const shape =
        left.length === 2 && r.length === 2
          ? [left[0], r[1]]
          : left.length === 2
            ? [left[0]]
            : r.length === 2
              ? [r[1]]
              : [];
      // tanh keeps products of products moderate.
      const product = b.apply('matmul', a, right);
      record(product, shape, `${names[a]} @ ${names[right]}`);
      record(b.apply('tanh', product), shape, `tanh(v${product})`);
    } else if (kind === 'transpose') {
      const shape = shapes[a].length === 2 ? [shapes[a][1], shapes[a][0]] : shapes[a];
      record(b.apply('transpose', a), shape, `transpose(${names[a]})`);
    } else if (kind === 'scale') {
      const theta = Number((-2 + 4 * s.theta).toFixed(3));
      const [op, text] = s.op % 2 === 0 ? ['scale', `${theta} * ${names[a]}`] : ['shift', `${names[a]} + ${theta}`];
      record(b.apply(op, a, undefined, theta), shapes[a], text);
    } else if (kind === 'reduce') {
      const op = (['sum', 'mean', 'logsumexp'] as const)[s.op % 3];
      record(op === 'sum' ? b.applyMany('sum', [a]) : b.apply(op, a), [], `${op}(${names[a]})`);
    } else {
      if (shapes[a].length === 0) continue;
      const targets =
        pick(shapes, s.b, (t) => t.length === shapes[a].length && t.every((d, q) => d === shapes[a][q])) ?? a;
      record(b.apply('softmax_cross_entropy', a, targets), [], `softmax_cross_entropy(${names[a]}, ${names[targets]})`);
    }
  }
  // The objective: the total of the last few variables, each reduced to a scalar.
  const n = shapes.length;
  const count = 1 + (total % Math.min(3, n));
  const terms: number[] = [];
  for (let q = 0; q < count; q++) {
    const v = n - 1 - q;
    const op = (['sum', 'mean', 'logsumexp'] as const)[(total >> 2) % 3];
    const reduced = op === 'sum' ? b.applyMany('sum', [v]) : b.apply(op, v);
    shapes.push([]);
    names.push(`v${reduced}`);
    b.name(reduced, `v${reduced}`);
    lines.push(`v${reduced} = ${op}(${names[v]})`);
    terms.push(reduced);
  }
  const objective = b.applyMany('sum', terms);
  b.name(objective, 'objective');
  lines.push(`objective = sum(${terms.map((t) => `v${t}`).join(', ')})`, 'output objective');
  b.output(objective);
  const program = b.build();
  const inputs = new Float64Array(program.inputSlots);
  program.inputNames.forEach((name, k) => {
    const value = at[name];
    inputs.set(
      typeof value === 'number' ? [value] : (value as (number | number[])[]).flat(),
      program.layout!.offset[k],
    );
  });
  const text = lines.join('\n') + '\n';
  return {
    program,
    at,
    inputs,
    text,
    [fc.toStringMethod]: () => `${text}at ${JSON.stringify(at)}`,
  } as RandomBlockProgram;
}

/** The variable the draw picks among those whose shape passes `fits` (null when none does). */
function pick(shapes: Shape[], draw: number, fits: (shape: Shape) => boolean): number | null {
  const candidates: number[] = [];
  for (let j = 0; j < shapes.length; j++) if (fits(shapes[j])) candidates.push(j);
  return candidates.length === 0 ? null : candidates[draw % candidates.length];
}
