import { interpreting } from '../primitives/codegen.ts';
import type { Program } from '../program/program.ts';

// A program's inputs by name, prepared once per program: every call of `grad` by name reads a
// point by these names. With code generation the reader is a function written for the program —
// `at["x"]` with the names as literals — which V8 runs as named property loads of one object
// shape, several times faster than looking the names up in a loop; without it (or with many
// inputs), that loop.

/** Inputs by name, prepared for one program. */
export interface InputNames {
  /** The input names in input order: the gradient's coordinates. */
  readonly names: readonly string[];
  /**
   * out[k] = at[names[k]] for each name whose value is a number; returns how many those were, or
   * −1 when a value is neither a number nor undefined (the caller then says which).
   */
  read(at: object, out: Float64Array): number;
  /** { names[k]: values[k] } for each input, in a record without a prototype (a gradient by name). */
  record(values: ArrayLike<number>): Record<string, number>;
}

/** More inputs than this are read in a loop (the generated reader would grow with them). */
const GENERATED_UP_TO = 256;

const prepared = new WeakMap<Program, InputNames>();

/** The program's inputs by name (prepared at the first call, then cached with the program). */
export function inputsByName(program: Program): InputNames {
  let found = prepared.get(program);
  if (found === undefined) prepared.set(program, (found = prepare(Object.freeze(program.inputNames))));
  return found;
}

function prepare(names: readonly string[]): InputNames {
  if (interpreting() || names.length > GENERATED_UP_TO)
    return { names, read: readInLoop(names), record: recordInLoop(names) };
  const lines = names.map(
    (name, k) =>
      `x = at[${JSON.stringify(name)}]; if (typeof x === 'number') { out[${k}] = x; found++; } else if (x !== undefined) return -1;`,
  );
  const read = new Function(
    'at',
    'out',
    ['let found = 0, x;', ...lines, 'return found;'].join('\n'),
  ) as InputNames['read'];
  // Stores under literal names: V8 caches each one's place, where a loop looks every name up.
  const stores = names.map((name, k) => `r[${JSON.stringify(name)}] = values[${k}];`);
  const record = new Function(
    'values',
    ['const r = Object.create(null);', ...stores, 'return r;'].join('\n'),
  ) as InputNames['record'];
  return { names, read, record };
}

function recordInLoop(names: readonly string[]): InputNames['record'] {
  return (values) => {
    const r: Record<string, number> = Object.create(null);
    for (let k = 0; k < names.length; k++) r[names[k]] = values[k];
    return r;
  };
}

function readInLoop(names: readonly string[]): InputNames['read'] {
  return (at, out) => {
    let found = 0;
    for (let k = 0; k < names.length; k++) {
      const x: unknown = (at as Readonly<Record<string, unknown>>)[names[k]];
      if (typeof x === 'number') {
        out[k] = x;
        found++;
      } else if (x !== undefined) return -1;
    }
    return found;
  };
}
