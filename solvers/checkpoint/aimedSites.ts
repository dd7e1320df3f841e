import type { Block, BlockRules, BlockSite } from '../../src/primitives/primitive.ts';
import { blockAt, primitives } from '../../src/primitives/registry.ts';
import type { Program } from '../../src/program/program.ts';
import type { Shape } from '../../src/program/shape.ts';

// The block rules' view of a program whose variables move: the checkpoint executor for blocks
// (blockExecutor.ts) gives each variable an offset in its own slab as it enters a frame, so the
// program's fixed Block records (BlockSweeps) do not apply, and a record per constraint would cost
// hundreds of bytes each (a T = 10⁴ RNN: 21 MB). Instead one BlockSite is aimed at constraint i
// just before its rule is called: its output's and arguments' offsets from `at`, their shapes from
// a table of the program's distinct shapes. A few pointer writes per call, no allocation.

/** A block record the executor re-aims at each constraint it runs (Block's fields, writable). */
interface Aimed {
  offset: number;
  shape: Shape;
  size: number;
  rows: number;
  cols: number;
}

/** The distinct shapes of a program's variables, and each variable's: built once per program. */
interface Shapes {
  readonly index: Int32Array;
  readonly table: readonly Block[];
}

const shapesOf = new WeakMap<Program, Shapes>();

function programShapes(program: Program): Shapes {
  let known = shapesOf.get(program);
  if (known !== undefined) return known;
  const layout = program.layout!;
  const index = new Int32Array(program.size);
  const table: Block[] = [];
  const byKey = new Map<string, number>();
  for (let i = 0; i < program.size; i++) {
    const key = `${layout.rank[i]}:${layout.dims[2 * i]}:${layout.dims[2 * i + 1]}`;
    let k = byKey.get(key);
    if (k === undefined) {
      byKey.set(key, (k = table.length));
      table.push(blockAt(0, layout.shape(i)));
    }
    index[i] = k;
  }
  shapesOf.set(program, (known = { index, table }));
  return known;
}

function aimed(): Aimed {
  return { offset: 0, shape: [], size: 1, rows: 1, cols: 1 };
}

/** One site aimed at constraint after constraint; `at[j]` is where variable j stands now. */
export class AimedSites {
  /** Where each variable's entries begin in the executor's slab (inputs: their layout offsets). */
  readonly at: Int32Array;
  private readonly shapes: Shapes;
  private readonly site: { out: Aimed; args: Aimed[]; constant: number };
  /** Argument records by arity. */
  private readonly argsByArity: Aimed[][] = [];
  /** Block rules by op code, looked up on first use (so they follow the choice of interpreter per run). */
  private readonly rulesByOp: (BlockRules | undefined)[] = [];

  constructor(private readonly program: Program) {
    this.at = new Int32Array(program.size);
    this.at.set(program.layout!.offset.subarray(0, program.inputCount));
    this.shapes = programShapes(program);
    this.site = { out: aimed(), args: [], constant: 0 };
  }

  /** The block rules of constraint i's primitive. */
  rules(i: number): BlockRules {
    const op = this.program.ops[i];
    return (this.rulesByOp[op] ??= primitives.blockRules(op));
  }

  /** The site aimed at constraint i: its output and arguments where they stand in the slab. */
  aim(i: number): BlockSite {
    const { parentStart, parents, constants } = this.program;
    const first = parentStart[i];
    const n = parentStart[i + 1] - first;
    let args = this.argsByArity[n];
    if (args === undefined) {
      args = this.argsByArity[n] = [];
      for (let k = 0; k < n; k++) args.push(aimed());
    }
    for (let k = 0; k < n; k++) this.point(args[k], parents[first + k]);
    const site = this.site;
    this.point(site.out, i);
    site.args = args;
    site.constant = constants[i];
    return site;
  }

  /** Aims a record at variable j. */
  private point(block: Aimed, j: number): void {
    const s = this.shapes.table[this.shapes.index[j]];
    block.offset = this.at[j];
    block.shape = s.shape;
    block.size = s.size;
    block.rows = s.rows;
    block.cols = s.cols;
  }
}
