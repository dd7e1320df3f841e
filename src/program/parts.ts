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
  /** Starting values for variables of cyclic components, by variable index (default 0). */
  readonly initial?: ReadonlyMap<number, number>;
  /** Shapes of the vector and matrix inputs, by variable index (others are scalars; the rest is inferred). */
  readonly shapes?: ReadonlyMap<number, Shape>;
  readonly source?: SourceMap;
}
