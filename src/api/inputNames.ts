import { interpreting } from '../primitives/codegen.ts';
import type { Program } from '../program/program.ts';

// A program's inputs by name, prepared once per program: every call of `grad` by name reads a
// point by these names and builds a gradient under them. With code generation, both are functions
// written for the program — `at["x"]`, `this["x"] = g[0]` with the names as literals — which V8
// runs as named property accesses of one object shape, several times faster than looking the names
// up in a loop; without it (or with many inputs), that loop.

/** Inputs by name, prepared for one program. */
export interface InputNames {
  /** The input names in input order: the gradient's coordinates. */
  readonly names: readonly string[];
  /** out[k] = at[names[k]] for each name whose value is not undefined; returns how many those were. */
  read(at: object, out: Float64Array): number;
  /** A plain object { [names[k]]: values[k] } in input order. */
  record(values: ArrayLike<number>): Record<string, number>;
}

/** More inputs than this are read and named in a loop (the generated code would grow with them). */
const GENERATED_UP_TO = 256;

const prepared = new WeakMap<Program, InputNames>();

/** The program's inputs by name (prepared at the first call, then cached with the program). */
export function inputNamesOf(program: Program): InputNames {
  let found = prepared.get(program);
  if (found === undefined) prepared.set(program, (found = prepare(Object.freeze(program.inputNames))));
  return found;
}

function prepare(names: readonly string[]): InputNames {
  // `__proto__` would set the prototype instead of naming a number: Object.fromEntries defines it.
  const record = names.includes('__proto__') ? (values: ArrayLike<number>) => Object.fromEntries(names.map((name, k) => [name, values[k]])) : recordInLoop(names);
  if (interpreting() || names.length > GENERATED_UP_TO) return { names, read: readInLoop(names), record };
  const literal = names.map((name) => JSON.stringify(name));
  const read = new Function('at', 'out', ['let found = 0, x;', ...literal.map((name, k) => `x = at[${name}]; if (x !== undefined) { out[${k}] = x; found++; }`), 'return found;'].join('\n')) as InputNames['read'];
  if (names.includes('__proto__')) return { names, read, record };
  const Record = new Function('g', literal.map((name, k) => `this[${name}] = g[${k}];`).join('\n')) as unknown as new (values: ArrayLike<number>) => Record<string, number>;
  Record.prototype = Object.prototype; // plain objects, as an object literal would be
  return { names, read, record: (values) => new Record(values) };
}

function readInLoop(names: readonly string[]): InputNames['read'] {
  return (at, out) => {
    let found = 0;
    for (let k = 0; k < names.length; k++) {
      const x = (at as Readonly<Record<string, number>>)[names[k]];
      if (x === undefined) continue;
      out[k] = x;
      found++;
    }
    return found;
  };
}

function recordInLoop(names: readonly string[]): InputNames['record'] {
  return (values) => {
    const record: Record<string, number> = {};
    for (let k = 0; k < names.length; k++) record[names[k]] = values[k];
    return record;
  };
}
