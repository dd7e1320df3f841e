import { Program, primitives } from '../../src/index.ts';

/** A chain of `steps` sines, v_k = sin(v_{k−1}) from x = 1.2, built from arrays of exactly its size (Program.from), so building peaks at the program. */
export function sineChain(steps: number): Program {
  const n = steps + 1;
  const ops = new Int32Array(n).fill(primitives.code('sin'));
  ops[0] = 0;
  const parentStart = new Int32Array(n + 1);
  const parents = new Int32Array(steps);
  for (let k = 1; k < n; k++) {
    parents[k - 1] = k - 1;
    parentStart[k + 1] = k;
  }
  return Program.from({
    ops,
    parentStart,
    parents,
    constants: new Float64Array(n),
    outputs: [steps],
    names: new Map([['x', 0]]),
    defaults: new Map([[0, 1.2]]),
  });
}
