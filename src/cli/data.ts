import type { BlockValue } from '../api/blocks.ts';
import { withInit } from '../api/withInit.ts';
import { LagradError } from '../error.ts';
import type { Program } from '../program/program.ts';
import { formatShape, sameShape, type Shape } from '../program/shape.ts';
import type { Io } from './io.ts';
import type { OptionSpec } from './command.ts';

/** The `--data FILE.json` option of the commands that read a point. */
export const DATA_OPTION = {
  data: {
    type: 'string',
    value: 'FILE.json',
    help: 'input values from a JSON file: {"X": [[1, 2], [3, 4]], "b": [0, 1], "x": 2} (a matrix as its rows); --at overrides',
    default: 'none',
  },
} as const satisfies Record<string, OptionSpec>;

/** Input values read from `--data FILE.json`, the file's name (for messages) and the shapes they have. */
export interface Data {
  readonly file: string;
  readonly values: Record<string, BlockValue>;
  /** The shape of each value: [] a number, [n] a list, [r, c] a list of r rows of c. */
  readonly shapes: Record<string, Shape>;
}

/**
 * Reads `--data FILE.json`: one object `{"NAME": number | [..] | [[..], ..]}` (a matrix as its
 * rows). A missing file, malformed JSON, NaN or infinities, a value that is not a number, a list of
 * numbers or a list of equally long rows: each is one error naming the file, the place and the input.
 */
export function loadData(path: string | undefined, io: Io): Data | undefined {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new LagradError(
      path,
      code === 'ENOENT'
        ? 'no such file (--data)'
        : code === 'EISDIR'
          ? 'is a directory'
          : `cannot be read (${code ?? (e as Error).message})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const bad = /\b(NaN|-?Infinity)\b/.exec(text);
    if (bad)
      throw new LagradError(
        `${path}:${lineColumn(text, bad.index)}`,
        `${bad[1]} is not a number JSON can hold; every value must be finite`,
      );
    const message = (e as Error).message.split('\n')[0];
    const position = /position (\d+)/.exec(message);
    throw new LagradError(
      position ? `${path}:${lineColumn(text, Number(position[1]))}` : path,
      `malformed JSON (${message.replace(/ in JSON at position \d+.*$/, '')})`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new LagradError(path, 'expected one JSON object {"NAME": number | [..] | [[..], ..]}');
  const values: Record<string, BlockValue> = Object.create(null);
  const shapes: Record<string, Shape> = Object.create(null);
  for (const [name, value] of Object.entries(data)) {
    shapes[name] = shapeOfData(value, `${path}: input '${name}'`);
    values[name] = value as BlockValue;
  }
  return { file: path, values, shapes };
}

/**
 * The point for a program: the data's values, then `--at` (which overrides). A name in the data
 * that is no input of the program, or a value whose shape is not the input's (a number fills a
 * block), is an error naming the file and the input.
 */
export function pointFrom(
  program: Program,
  data: Data | undefined,
  at: Record<string, number>,
): Record<string, BlockValue> {
  const point: Record<string, BlockValue> = Object.create(null);
  if (data) {
    for (const [name, value] of Object.entries(data.values)) {
      const where = `${data.file}: input '${name}'`;
      const i = program.names.get(name);
      if (i !== undefined && i >= program.inputCount && program.cycleOf(i) !== null) continue; // a start: startsFrom
      if (i === undefined || i >= program.inputCount)
        throw new LagradError(
          where,
          i === undefined
            ? `the program has no input of this name; its inputs are ${program.inputNames.join(', ')}`
            : 'is not an input of the program (nor a variable of a cycle, which the data may start), so it cannot be given a value',
        );
      const declared = program.shape(i);
      const held = data.shapes[name];
      if (held.length > 0 && !sameShape(declared, held)) {
        throw new LagradError(
          where,
          `the program declares ${declared.length === 0 ? 'a scalar' : formatShape(declared)}, the data holds ${formatShape(held)}${declared.length === 0 ? ` (declare its shape: input ${name}${formatShape(held)})` : ''}`,
        );
      }
      point[name] = value;
    }
  }
  for (const [name, value] of Object.entries(at)) point[name] = value;
  return point;
}

/**
 * The program with the data's values for variables of its cyclic components as their starts
 * (`{"z": [0.1, …]}` starts the solve of z's component there instead of at its `init`).
 */
export function startsFrom(program: Program, data: Data | undefined): Program {
  if (!data) return program;
  const starts: Record<string, BlockValue> = Object.create(null);
  let any = false;
  for (const [name, value] of Object.entries(data.values)) {
    const i = program.names.get(name);
    if (i === undefined || i < program.inputCount || program.cycleOf(i) === null) continue;
    starts[name] = value;
    any = true;
  }
  if (!any) return program;
  try {
    return withInit(program, starts);
  } catch (e) {
    if (e instanceof LagradError) throw new LagradError(`${data.file}: ${e.where}`, e.what);
    throw e;
  }
}

/** The shape of a JSON value; anything but a number, a list of numbers or a list of equal rows is an error at `where`. */
function shapeOfData(value: unknown, where: string): Shape {
  if (typeof value === 'number') return [];
  if (!Array.isArray(value))
    throw new LagradError(
      where,
      `${value === null ? 'null' : typeof value === 'object' ? 'an object' : JSON.stringify(value)} is not a number, a list of numbers or a list of rows`,
    );
  if (value.length === 0) throw new LagradError(where, 'an empty list');
  if (!Array.isArray(value[0])) {
    value.forEach((x, k) => {
      if (typeof x !== 'number')
        throw new LagradError(
          where,
          `entry [${k}] is ${x === null ? 'null' : Array.isArray(x) ? 'a list' : JSON.stringify(x)}, not a number`,
        );
    });
    return [value.length];
  }
  const cols = (value[0] as unknown[]).length;
  value.forEach((row, r) => {
    if (!Array.isArray(row))
      throw new LagradError(where, `row ${r} is ${JSON.stringify(row)}, not a list (a matrix is a list of rows)`);
    if (row.length !== cols)
      throw new LagradError(
        where,
        `ragged rows: row ${r} has ${row.length} ${row.length === 1 ? 'entry' : 'entries'}, row 0 has ${cols}`,
      );
    row.forEach((x, c) => {
      if (typeof x !== 'number')
        throw new LagradError(
          where,
          `entry [${r}, ${c}] is ${x === null ? 'null' : Array.isArray(x) ? 'a list' : JSON.stringify(x)}, not a number`,
        );
    });
  });
  if (cols === 0) throw new LagradError(where, 'rows with no entries');
  return [value.length, cols];
}

/** `3:7`: the line and column of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `${line}:${offset - before.lastIndexOf('\n')}`;
}
