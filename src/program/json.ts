// Why one file of 300+ lines: The JSON writer and its validating reader side by side, so the format is read in one place.
import { LagradError } from '../error.ts';
import { INPUT } from '../primitives/primitive.ts';
import { primitives, suggest } from '../primitives/registry.ts';
import type { ProgramParts, SourceMap } from './parts.ts';
import { declaredShapes, type Layout } from './layout.ts';
import { checkShape, type Shape } from './shape.ts';

/**
 * A program as JSON: columns, not one object per variable, so 10⁶ constraints stay compact. Op
 * codes are local to the file (`primitives` lists the names they stand for), so files survive
 * changes to the registry's order.
 */
export interface ProgramJSON {
  readonly format: 'lagrad.program';
  readonly version: 1;
  readonly primitives: string[];
  readonly ops: number[];
  readonly parentStart: number[];
  readonly parents: number[];
  /** [variable, θ] for every constraint whose primitive carries a constant. */
  readonly constants: [number, number][];
  readonly outputs: number[];
  readonly names: Record<string, number>;
  readonly defaults: Record<string, number>;
  /** Starting values of cyclic variables: a number (every entry of a block), or a block's entries row-major. */
  readonly initial: Record<string, number | number[]>;
  /**
   * Declared shapes by variable index (absent: all scalars): the vector and matrix inputs', and the
   * block members' of cyclic components and the block constants' (what inference cannot recover).
   */
  readonly shapes?: Record<string, number[]>;
  readonly source?: { file?: string; line: number[]; column: number[] };
}

/** What `toJSON` reads of a program: its columns (a `Program` is one). */
export interface ProgramColumns {
  readonly size: number;
  readonly ops: Int32Array;
  readonly parentStart: Int32Array;
  readonly parents: Int32Array;
  readonly constants: Float64Array;
  readonly outputs: Int32Array;
  readonly names: ReadonlyMap<string, number>;
  readonly defaults: Float64Array;
  readonly initial: Float64Array | null;
  readonly initialBlocks?: ReadonlyMap<number, Float64Array> | null;
  readonly cycles?: Int32Array;
  readonly source: SourceMap | undefined;
  readonly inputCount?: number;
  readonly layout?: Layout | null;
}

/** The JSON form of a program (`JSON.stringify(toJSON(p))` to save it). */
export function toJSON(program: ProgramColumns): ProgramJSON {
  const used = new Map<number, number>();
  const ops = Array.from(program.ops, (code) => {
    let local = used.get(code);
    if (local === undefined) used.set(code, (local = used.size));
    return local;
  });
  const constants: [number, number][] = [];
  for (let i = 0; i < program.size; i++)
    if (primitives.get(program.ops[i]).constant) constants.push([i, program.constants[i]]);
  const defaults: Record<string, number> = {};
  program.defaults.forEach((value, i) => {
    if (!Number.isNaN(value)) defaults[String(i)] = value;
  });
  const initial: Record<string, number | number[]> = {};
  program.initial?.forEach((value, i) => {
    if (value !== 0) initial[String(i)] = value;
  });
  for (const [i, entries] of program.initialBlocks ?? []) initial[String(i)] = Array.from(entries);
  let shapes: Record<string, number[]> | undefined;
  const layout = program.layout;
  if (layout) {
    shapes = {};
    const declared = declaredShapes({
      size: program.size,
      inputCount: program.inputCount ?? 0,
      parentStart: program.parentStart,
      cycles: program.cycles ?? new Int32Array(0),
      layout,
    });
    for (const [i, shape] of declared) shapes[String(i)] = [...shape];
  }
  return {
    format: 'lagrad.program',
    version: 1,
    primitives: [...used.keys()].map((code) => primitives.get(code).name),
    ops,
    parentStart: Array.from(program.parentStart),
    parents: Array.from(program.parents),
    constants,
    outputs: Array.from(program.outputs),
    names: Object.fromEntries(program.names),
    defaults,
    initial,
    ...(shapes && { shapes }),
    ...(program.source && {
      source: {
        file: program.source.file,
        line: Array.from(program.source.line),
        column: Array.from(program.source.column),
      },
    }),
  };
}

/** The fields of the JSON form; any other is an error (a misspelled optional field would be lost). */
const FIELDS = [
  'format',
  'version',
  'primitives',
  'ops',
  'parentStart',
  'parents',
  'constants',
  'outputs',
  'names',
  'defaults',
  'initial',
  'shapes',
  'source',
];

/**
 * The parts of a program from its JSON form (an object or its text). Every field is checked before
 * anything goes into a typed array — types, integer ranges, lengths, known primitives, indices that
 * name variables, finite numbers — so a malformed file is a LagradError naming the field and
 * index (`program JSON: parents[3]: 4294967296 is not a variable index …`), never a coerced value.
 */
export function partsFromJSON(json: ProgramJSON | string): ProgramParts {
  const data = typeof json === 'string' ? parseText(json) : (json as unknown);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    fail('', `a program is a JSON object, not ${kind(data)}`);
  const record = data as Record<string, unknown>;
  if (record.format !== 'lagrad.program' || record.version !== 1)
    fail('', "not a lagrad program (expected format 'lagrad.program', version 1)");
  for (const key of Object.keys(record))
    if (!FIELDS.includes(key)) fail(key, `unknown field; the fields are ${FIELDS.join(', ')}`);

  const names = array(record, 'primitives');
  const codes = names.map((name, k) => {
    if (typeof name !== 'string') fail(`primitives[${k}]`, `must be a primitive's name, not ${kind(name)}`);
    if (!primitives.has(name))
      fail(
        `primitives[${k}]`,
        `unknown primitive '${name}'${suggest(
          name,
          primitives.all().map((p) => p.name),
        )}`,
      );
    return primitives.code(name);
  });
  const ops = Int32Array.from(
    array(record, 'ops'),
    (local, i) => codes[index(local, `ops[${i}]`, codes.length, 'an index into primitives')],
  );
  const n = ops.length;
  const parents = Int32Array.from(array(record, 'parents'), (j, e) => index(j, `parents[${e}]`, n, 'a variable index'));
  const starts = array(record, 'parentStart');
  if (starts.length !== n + 1) fail('parentStart', `has ${starts.length} entries; ${n} ops need ${n + 1}`);
  const parentStart = Int32Array.from(starts, (x, i) =>
    index(x, `parentStart[${i}]`, parents.length + 1, 'an offset into parents'),
  );
  if (parentStart[0] !== 0 || parentStart[n] !== parents.length)
    fail('parentStart', `must run from 0 to the ${parents.length} parents, not ${parentStart[0]} to ${parentStart[n]}`);
  for (let i = 0; i < n; i++)
    if (parentStart[i + 1] < parentStart[i])
      fail(`parentStart[${i + 1}]`, `${parentStart[i + 1]} is less than the offset before it (${parentStart[i]})`);

  const constants = new Float64Array(n);
  const seen = new Uint8Array(n);
  array(record, 'constants').forEach((pair, k) => {
    if (!Array.isArray(pair) || pair.length !== 2)
      fail(`constants[${k}]`, `must be a pair [variable, θ], not ${kind(pair)}`);
    const i = index(pair[0], `constants[${k}][0]`, n, 'a variable index');
    if (!primitives.get(ops[i]).constant)
      fail(`constants[${k}][0]`, `variable ${i} (${primitives.get(ops[i]).name}) takes no constant`);
    if (seen[i]) fail(`constants[${k}][0]`, `variable ${i} is given a constant twice`);
    seen[i] = 1;
    constants[i] = finite(pair[1], `constants[${k}][1]`);
  });
  const outputs = array(record, 'outputs').map((o, k) => index(o, `outputs[${k}]`, n, 'a variable index'));

  const named = new Map<string, number>();
  for (const [name, i] of entries(record, 'names'))
    named.set(name, index(i, `names['${name}']`, n, 'a variable index'));
  const defaults = new Map<number, number>();
  for (const [key, value] of entries(record, 'defaults')) {
    const i = indexKey(key, 'defaults', n);
    if (ops[i] !== INPUT) fail(`defaults[${key}]`, `variable ${i} is not an input, so it has no default`);
    defaults.set(i, finite(value, `defaults[${key}]`));
  }
  // A member's init: one number (every entry of a block starts from it) or a block of numbers.
  const initial = new Map<number, number | Float64Array>();
  for (const [key, value] of entries(record, 'initial')) {
    const i = indexKey(key, 'initial', n);
    initial.set(
      i,
      Array.isArray(value)
        ? Float64Array.from(value, (x, k) => finite(x, `initial[${key}][${k}]`))
        : finite(value, `initial[${key}]`),
    );
  }
  let shapes: Map<number, Shape> | undefined;
  if (record.shapes !== undefined) {
    shapes = new Map();
    for (const [key, dims] of entries(record, 'shapes')) {
      const i = indexKey(key, 'shapes', n);
      const shape = Array.isArray(dims) ? checkShape(dims) : `not a list of dimensions but ${kind(dims)}`;
      if (typeof shape === 'string') fail(`shapes[${key}]`, shape);
      shapes.set(i, shape);
    }
  }
  return {
    ops,
    parentStart,
    parents,
    constants,
    outputs,
    names: named,
    defaults,
    initial,
    ...(shapes && { shapes }),
    source: sourceFrom(record.source, n),
  };
}

function sourceFrom(source: unknown, n: number): SourceMap | undefined {
  if (source === undefined) return undefined;
  if (typeof source !== 'object' || source === null || Array.isArray(source))
    fail('source', `must be an object {file, line, column}, not ${kind(source)}`);
  const s = source as Record<string, unknown>;
  for (const key of Object.keys(s))
    if (!['file', 'line', 'column'].includes(key))
      fail(`source.${key}`, 'unknown field; the fields are file, line, column');
  if (s.file !== undefined && typeof s.file !== 'string')
    fail('source.file', `must be a file name, not ${kind(s.file)}`);
  const column = (field: 'line' | 'column') => {
    const list = array(s, field, 'source.');
    if (list.length !== n) fail(`source.${field}`, `has ${list.length} entries for ${n} variables`);
    return Int32Array.from(list, (x, i) =>
      index(x, `source.${field}[${i}]`, 2 ** 31 - 1, 'a line or column number (0: none)'),
    );
  };
  return { file: s.file as string | undefined, line: column('line'), column: column('column') };
}

function fail(field: string, what: string): never {
  throw new LagradError('program JSON', field ? `${field}: ${what}` : what);
}

function kind(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'string') return `the string ${JSON.stringify(x.length > 40 ? x.slice(0, 40) + '…' : x)}`;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  return `a ${typeof x}`;
}

/** The array in `record[field]`; anything else is an error naming it. */
function array(record: Record<string, unknown>, field: string, prefix = ''): unknown[] {
  const x = record[field];
  if (!Array.isArray(x)) fail(prefix + field, `must be an array, not ${x === undefined ? 'missing' : kind(x)}`);
  return x;
}

/** The [key, value] pairs of an optional object field (absent: none). */
function entries(record: Record<string, unknown>, field: string): [string, unknown][] {
  const x = record[field];
  if (x === undefined) return [];
  if (typeof x !== 'object' || x === null || Array.isArray(x)) fail(field, `must be an object, not ${kind(x)}`);
  return Object.entries(x);
}

/** An integer in [0, limit), or an error naming the field: no 2^32 wrapping to 0, no 0.5 or null. */
function index(x: unknown, field: string, limit: number, what: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x >= limit)
    fail(field, `${kind(x)} is not ${what} (an integer in [0, ${limit}))`);
  return x;
}

/** A variable index written as an object key: the canonical decimal text of an integer in [0, n). */
function indexKey(key: string, field: string, n: number): number {
  const i = Number(key);
  if (String(i) !== key) fail(`${field}['${key}']`, 'keys are variable indices written in decimal');
  return index(i, `${field}[${key}]`, n, 'a variable index');
}

function finite(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) fail(field, `${kind(x)} is not a finite number`);
  return x;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LagradError('program JSON', (e as Error).message);
  }
}
