import { LagradError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { sizeOf } from '../program/shape.ts';
import { fillBlock, type BlockValue } from './blocks.ts';

/**
 * The program with other starting values for variables of its cyclic components, by name:
 * `withInit(program, { z: previous })` starts the solve of z's component from `previous` (a warm
 * start; a vector's entries, a matrix's rows, a Float64Array, a Matrix, or a number for every
 * entry) instead of its `init`. A name that is not a variable of a cyclic component, or a value
 * of another shape, is an error naming it.
 */
export function withInit(
  program: Program,
  starts: Readonly<Record<string, BlockValue>> | ReadonlyMap<string, BlockValue>,
): Program {
  const entries = starts instanceof Map ? [...starts] : Object.entries(starts as Record<string, BlockValue>);
  const initial = new Map<number, number | Float64Array>();
  for (const [name, value] of entries) {
    const where = `init '${name}'`;
    const i = program.names.get(name);
    if (i === undefined) throw new LagradError(where, 'the program has no variable of this name');
    if (program.cycleOf(i) === null)
      throw new LagradError(
        where,
        `'${name}' is not in a cyclic component: only the variables of a cycle start from a value`,
      );
    const shape = program.shape(i);
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new LagradError(where, `${value} is not a finite number`);
      initial.set(i, value);
      continue;
    }
    if (shape.length === 0) throw new LagradError(where, `'${name}' is a scalar; give a number`);
    const block = new Float64Array(sizeOf(shape));
    fillBlock(block, 0, shape, value, where);
    initial.set(i, block);
  }
  return program.withInitial(initial);
}
