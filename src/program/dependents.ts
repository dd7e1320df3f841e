import type { Program } from './program.ts';

/**
 * The variables that depend on the marked inputs: those inputs and every constraint with such a
 * parent, in one pass in evaluation order (acyclic programs). A gradient with respect to the marked
 * inputs needs the multipliers of exactly these variables. `inputs` marks inputs by index.
 */
export function dependents(program: Program, inputs: Uint8Array): Uint8Array {
  const { size, inputCount, parentStart, parents } = program;
  const marked = new Uint8Array(size);
  marked.set(inputs.subarray(0, inputCount));
  for (let i = inputCount; i < size; i++) {
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      if (marked[parents[e]] === 1) {
        marked[i] = 1;
        break;
      }
    }
  }
  return marked;
}
