import type { Shape } from './shape.ts';

/** Where each variable came from in a source text, for error messages. */
export interface SourceMap {
  readonly file: string | undefined;
  readonly line: Int32Array;
  readonly column: Int32Array;
}

/** The raw material of a program, in any order; `Program.from` puts it in evaluation order. */
export interface ProgramParts {
  /** Op code per variable (`INPUT` for inputs), from the primitive registry. */
  readonly ops: Int32Array;
  /** CSR offsets: the parents of i are parents[parentStart[i] .. parentStart[i + 1]). */
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  /** The constant θ of each constraint whose primitive has one (0 elsewhere). */
  readonly constants: Float64Array;
  readonly outputs: ArrayLike<number>;
  readonly names: ReadonlyMap<string, number>;
  /** Default values of inputs, by variable index. */
  readonly defaults?: ReadonlyMap<number, number>;
  /**
   * Starting values for variables of cyclic components, by variable index (default 0): a number
   * (for a block, every entry) or a block's entries row-major (its shape declared in `shapes`).
   */
  readonly initial?: ReadonlyMap<number, number | Float64Array>;
  /**
   * Declared shapes by variable index: of the vector and matrix inputs (other inputs are scalars),
   * and of any constraint (checked against the shape inferred for it; what fixes the shapes of a
   * cyclic component when its equations leave them open). The rest is inferred.
   */
  readonly shapes?: ReadonlyMap<number, Shape>;
  readonly source?: SourceMap;
}
