import { UsageError } from '../error.ts';
import { kernelSource } from '../primitives/printKernels.ts';
import { primitives } from '../primitives/registry.ts';
import { SWEEP_KINDS, type SweepKind } from '../primitives/sweepSource.ts';
import { compiledSource } from '../../solvers/compiled.ts';
import type { Command } from './command.ts';
import { loadSource } from './source.ts';

// `lagrad kernels`: the JavaScript of the generated sweeps, as it is compiled, so what every
// schedule runs can be read (and a primitive's case checked against its declaration).

export const kernelsCommand: Command = {
  name: 'kernels',
  summary: 'print the generated sweeps (the JavaScript every schedule runs)',
  synopsis: `lagrad kernels [${SWEEP_KINDS.join('|')}] [options]
       lagrad kernels --program <source>

  sweep  which sweep to print (default: all six)
           forward   v_i = p_i(v_Pa(i)), in order
           reverse   λ_j += λ_i ∂p_i/∂v_j, in reverse order (backprop), skipping λ_i = 0
           tangent   v̇_i = Σ_j ∂p_i/∂v_j v̇_j: one application of J
           lanes     the tangent sweep on K lanes at once (vector forward mode)
           value     p_i of one constraint, without writing it
           partials  the local partials of one constraint`,
  options: {
    primitive: {
      type: 'string',
      value: 'NAME',
      help: "only this primitive's case of each sweep",
      default: 'every primitive',
    },
    program: {
      type: 'string',
      value: 'SOURCE',
      help: 'the straight-line code --schedule compiled runs for this program (a .lag file, - for standard input, or an expression) instead of the sweeps',
      default: 'none',
    },
  },
  run(positionals, flags, io) {
    if (flags.program !== undefined) {
      if (positionals.length > 0 || flags.primitive !== undefined)
        throw new UsageError('kernels', "--program prints one program's code: no sweep and no --primitive with it");
      io.out(compiledSource(loadSource(flags.program as string, io)) + '\n');
      return 0;
    }
    if (positionals.length > 1)
      throw new UsageError('kernels', `one sweep at most, not ${positionals.length} ('${positionals.join("', '")}')`);
    const kinds = positionals.length === 0 ? SWEEP_KINDS : [positionals[0] as SweepKind];
    const primitive = flags.primitive as string | undefined;
    if (primitive !== undefined) primitives.code(primitive);
    const texts = kinds.map((kind) => kernelSource(kind, { primitive }));
    io.out(texts.join('\n\n') + '\n');
    return 0;
  },
};
