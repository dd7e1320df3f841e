import { evaluate, grad, ProgramBuilder, type Program } from '../src/index.ts';
import { primitives } from '../src/primitives/registry.ts';
import { binary, OP_NAMES, type Dag } from './dag.ts';

// lagrad on the benchmark's workloads: the program built once (with the TypeScript builder, or
// parsed from `.lag` text), then evaluated and differentiated many times with reused buffers, as an
// application that calls it in a loop would.

/** Records the DAG with the ProgramBuilder: one `apply` per constraint. */
export function buildProgram(dag: Dag): Program {
  const builder = new ProgramBuilder();
  const codes = OP_NAMES.map((name) => primitives.code(name));
  for (let k = 0; k < dag.inputs; k++) builder.input(dag.inputNames[k]);
  const { op, a, b, c } = dag;
  for (let i = dag.inputs; i < dag.size; i++) {
    if (binary(op[i])) builder.apply(codes[op[i]], a[i], b[i]);
    else builder.apply(codes[op[i]], a[i], undefined, c[i]);
  }
  builder.output(dag.size - 1);
  return builder.build();
}

const INFIX: Record<string, string> = { add: '+', sub: '-', mul: '*' };

/** The DAG as a `.lag` program text: one line per input, one per constraint, then the output. */
export function lagText(dag: Dag): string {
  const lines: string[] = [];
  const name = (j: number) => (j < dag.inputs ? dag.inputNames[j] : `v${j}`);
  for (let k = 0; k < dag.inputs; k++) lines.push(`input ${dag.inputNames[k]}`);
  const { op, a, b, c } = dag;
  for (let i = dag.inputs; i < dag.size; i++) {
    const p = OP_NAMES[op[i]];
    let body: string;
    if (binary(op[i])) body = `${name(a[i])} ${INFIX[p]} ${name(b[i])}`;
    else if (p === 'scale') body = `${c[i]} * ${name(a[i])}`;
    else if (p === 'square') body = `${name(a[i])}^2`;
    else body = `${p}(${name(a[i])})`;
    lines.push(`${name(i)} = ${body}`);
  }
  lines.push(`output ${name(dag.size - 1)}`);
  return lines.join('\n') + '\n';
}

/** Lanes of forward mode: one sweep carries every input's tangent when there are at most this many. */
export const LANES = 8;

/** evaluate and grad (reverse or forward) on one program, with buffers allocated once and reused. */
export class LagradRunner {
  readonly values: Float64Array;
  readonly lambda: Float64Array;
  private tangents: Float64Array | undefined;
  /** Reverse mode's reused buffers, one object for every call. */
  private readonly workspace: { values: Float64Array; lambda: Float64Array };
  constructor(readonly program: Program) {
    this.values = new Float64Array(program.size);
    this.lambda = new Float64Array(program.size);
    this.workspace = { values: this.values, lambda: this.lambda };
  }

  value(x: Float64Array): number {
    return evaluate(this.program, x, { values: this.values });
  }

  gradient(x: Float64Array, schedule: 'reverse' | 'forward' = 'reverse'): Float64Array {
    if (schedule === 'reverse') return grad(this.program, x, { schedule, workspace: this.workspace }).solution.gradient;
    const lanes = Math.min(LANES, this.program.inputCount);
    this.tangents ??= new Float64Array(this.program.size * lanes);
    const workspace = { values: this.values, lambda: this.lambda, tangents: this.tangents };
    // lanes is forward's setting only (an unread setting is an error).
    return grad(this.program, x, { schedule, lanes, workspace }).solution.gradient;
  }

  /** `grad(program, x)` with every option left at its default: fresh buffers, the default schedule. */
  defaultGradient(x: Float64Array): Float64Array {
    return grad(this.program, x).solution.gradient;
  }

  /** The fraction of variables with λ ≠ 0 after the last reverse `gradient` (those the output reads). */
  reached(): number {
    let count = 0;
    for (let i = 0; i < this.lambda.length; i++) if (this.lambda[i] !== 0) count++;
    return count / this.lambda.length;
  }
}

/**
 * The lecture function called as its users write it: the point as an object literal by input
 * name, the result read by name. Needs a program whose inputs are x, y and z.
 */
export class ByNameRunner {
  private readonly out = new Float64Array(3);
  constructor(readonly program: Program) {
    if (program.inputNames.join() !== 'x,y,z')
      throw new Error('ByNameRunner: the program must have the inputs x, y, z');
  }

  value(x: Float64Array): number {
    return evaluate(this.program, { x: x[0], y: x[1], z: x[2] });
  }

  /** `grad(program, { x, y, z }).gradient`, read by name (into a reused array, for the check). */
  gradient(x: Float64Array): Float64Array {
    // A scalar program's gradient entries are numbers (block inputs would give arrays).
    const g = grad(this.program, { x: x[0], y: x[1], z: x[2] }).gradient as Record<string, number>;
    this.out[0] = g.x;
    this.out[1] = g.y;
    this.out[2] = g.z;
    return this.out;
  }
}
