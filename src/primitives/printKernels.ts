import { UsageError } from '../error.ts';
import { codeGenerationAllowed, interpreting } from './codegen.ts';
import { sourceUrl } from './kernels.ts';
import { primitives, suggest, type PrimitiveRegistry } from './registry.ts';
import { caseSource, sweepSource, SWEEP_KINDS, type SweepKind } from './sweepSource.ts';

/** Options of kernelSource. */
export interface KernelSourceOptions {
  /** Only this primitive's case of the sweep. */
  readonly primitive?: string;
  /** Another registry than the process-wide one. */
  readonly registry?: PrimitiveRegistry;
}

/**
 * The JavaScript of one generated sweep, the function text that is compiled (`forward`, `reverse`,
 * `tangent`, `lanes`, `value`, `partials`), or only one primitive's case of it. `lagrad kernels`
 * prints it.
 */
export function kernelSource(kind: SweepKind, options: KernelSourceOptions = {}): string {
  if (!(SWEEP_KINDS as readonly string[]).includes(kind))
    throw new UsageError(
      `sweep '${kind}'`,
      `unknown${suggest(kind, SWEEP_KINDS) || `; choose one of ${SWEEP_KINDS.join(', ')}`}`,
    );
  const registry = options.registry ?? primitives;
  if (options.primitive !== undefined) {
    const p = registry.checked(registry.code(options.primitive));
    const note =
      p.primitive.value === undefined
        ? [
            `// '${p.primitive.name}' is a block primitive: a program using it runs the block sweeps (blockSweeps.ts) with its block rules; this case is never reached.`,
          ]
        : [];
    return [`// ${sourceUrl(kind)}, the case of '${p.primitive.name}'`, ...note, ...caseSource(kind, p)].join('\n');
  }
  const table = registry.checkedAll();
  const header = [
    `// ${sourceUrl(kind)}: generated from the ${table.length - 1} registered primitives (src/primitives/sweepSource.ts).`,
    '// R[code] holds the rules of primitives declared as functions.',
  ];
  if (interpreting())
    header.push(
      `// Not compiled here: ${codeGenerationAllowed() ? 'the interpreter was chosen' : 'code generation is refused'}; interpretedKernels.ts runs instead.`,
    );
  return [...header, sweepSource(kind, table), `//# sourceURL=${sourceUrl(kind)}`].join('\n');
}
