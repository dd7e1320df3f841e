import { Matrix } from 'ml-matrix';
import { LagradError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { formatShape, sizeOf, type Shape } from '../program/shape.ts';

// Values of vector and matrix variables at the API's edge (DESIGN §9): what a point may give for
// an input, and what a gradient or a multiplier of a block comes back as.

/**
 * A value for a variable: a number (for a block, every entry), number[] (a vector, or a matrix's
 * entries row-major), number[][] (a matrix's rows), a Float64Array (row-major) or a `Matrix`.
 */
export type BlockValue = number | readonly number[] | readonly (readonly number[])[] | Float64Array | Matrix;

/** What a variable's value, gradient or multiplier comes back as: a number, a vector or a matrix. */
export type Value = number | Float64Array | Matrix;

/**
 * Writes `value` into slab[offset … offset + size) for a variable of this shape; a value of
 * another shape, a ragged list of rows or an entry that is not a number is an error at `where`.
 */
export function fillBlock(slab: Float64Array, offset: number, shape: Shape, value: BlockValue, where: string): void {
  const size = sizeOf(shape);
  const expected =
    shape.length === 0
      ? 'a number'
      : `a ${formatShape(shape)} block${shape.length === 2 ? ` (${shape[0]} rows of ${shape[1]})` : ''}`;
  if (typeof value === 'number') {
    slab.fill(value, offset, offset + size);
    return;
  }
  if (Matrix.isMatrix(value)) {
    const { rows, columns } = value;
    const fits =
      shape.length === 2
        ? rows === shape[0] && columns === shape[1]
        : (rows === 1 || columns === 1) && rows * columns === size && shape.length === 1;
    if (!fits) throw new LagradError(where, `expected ${expected}, got a ${rows}×${columns} Matrix`);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) slab[offset + r * columns + c] = value.get(r, c);
    return;
  }
  if (!isList(value))
    throw new LagradError(
      where,
      `expected ${expected}, got ${typeof value === 'object' && value !== null ? 'an object' : String(value)}`,
    );
  if (shape.length === 0) throw new LagradError(where, `is a scalar; got a list of ${value.length}`);
  if (value.length > 0 && isList(value[0])) {
    const rows = value as readonly (readonly number[])[];
    if (shape.length !== 2) throw new LagradError(where, `expected ${expected}, got ${rows.length} rows`);
    if (rows.length !== shape[0])
      throw new LagradError(where, `expected ${shape[0]} rows of ${shape[1]}, got ${rows.length} rows`);
    rows.forEach((row, r) => {
      if (!isList(row)) throw new LagradError(where, `row ${r} is not a list of numbers`);
      if (row.length !== shape[1])
        throw new LagradError(
          where,
          `row ${r} has ${row.length} entries, not ${shape[1]} (rows of a matrix must all have ${shape[1]})`,
        );
      for (let c = 0; c < row.length; c++) slab[offset + r * shape[1] + c] = entry(row[c], where, `[${r}, ${c}]`);
    });
    return;
  }
  const flat = value as ArrayLike<unknown>;
  if (flat.length !== size)
    throw new LagradError(
      where,
      `expected ${expected}${shape.length === 2 ? ` or ${size} entries row-major` : ''}, got ${flat.length} entries`,
    );
  for (let e = 0; e < size; e++)
    slab[offset + e] = entry(
      flat[e],
      where,
      shape.length === 1 ? `[${e}]` : `[${Math.floor(e / shape[1])}, ${e % shape[1]}]`,
    );
}

function isList(x: unknown): x is ArrayLike<unknown> {
  return Array.isArray(x) || ArrayBuffer.isView(x);
}

function entry(x: unknown, where: string, index: string): number {
  if (typeof x !== 'number')
    throw new LagradError(
      where,
      `entry ${index} is ${x === null ? 'null' : typeof x === 'object' ? 'a list' : JSON.stringify(x)}, not a number`,
    );
  return x;
}

/** Variable i's entries in a slab as a number (scalar), a Float64Array (vector) or a Matrix (matrix). */
export function valueIn(program: Program, slab: Float64Array, i: number): Value {
  const layout = program.layout;
  if (layout === null) return slab[i];
  const offset = layout.offset[i];
  const rank = layout.rank[i];
  if (rank === 0) return slab[offset];
  if (rank === 1) return slab.slice(offset, layout.offset[i + 1]);
  const rows = layout.dims[2 * i];
  const cols = layout.dims[2 * i + 1];
  const m = new Matrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, slab[offset + r * cols + c]);
  return m;
}

/** A value as JSON wants it: numbers, a vector as a list, a matrix as a list of rows. */
export function plain(value: Value): number | number[] | number[][] {
  if (typeof value === 'number') return value;
  if (value instanceof Float64Array) return Array.from(value);
  return value.to2DArray();
}
