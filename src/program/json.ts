import { LagradError } from '../error.ts';
import { primitives } from '../primitives/registry.ts';
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
  for (let i = 0; i < program.size; i++) if (primitives.get(program.ops[i]).constant) constants.push([i, program.constants[i]]);
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
    const declared = declaredShapes({ size: program.size, inputCount: program.inputCount ?? 0, parentStart: program.parentStart, cycles: program.cycles ?? new Int32Array(0), layout });
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
    ...(program.source && { source: { file: program.source.file, line: Array.from(program.source.line), column: Array.from(program.source.column) } }),
  };
}

/** The parts of a program from its JSON form (an object or its text); malformed input is an error naming the field. */
export function partsFromJSON(json: ProgramJSON | string): ProgramParts {
  const data = (typeof json === 'string' ? parseText(json) : json) as Partial<ProgramJSON>;
  if (data.format !== 'lagrad.program' || data.version !== 1) throw new LagradError('program JSON', "not a lagrad program (expected format 'lagrad.program', version 1)");
  for (const field of ['primitives', 'ops', 'parentStart', 'parents', 'constants', 'outputs'] as const) {
    if (!Array.isArray(data[field])) throw new LagradError('program JSON', `'${field}' must be an array`);
  }
  const codes = data.primitives!.map((name) => primitives.code(name));
  const ops = Int32Array.from(data.ops!, (local, i) => {
    const code = codes[local];
    if (code === undefined) throw new LagradError('program JSON', `ops[${i}] = ${local} names no primitive`);
    return code;
  });
  const constants = new Float64Array(ops.length);
  for (const [i, value] of data.constants!) constants[i] = value;
  const indexMap = (record: Record<string, number> | undefined) => new Map(Object.entries(record ?? {}).map(([i, v]) => [Number(i), v]));
  return {
    ops,
    parentStart: Int32Array.from(data.parentStart!),
    parents: Int32Array.from(data.parents!),
    constants,
    outputs: data.outputs!,
    names: new Map(Object.entries(data.names ?? {})),
    defaults: indexMap(data.defaults),
    initial: initialFrom(data.initial),
    shapes: data.shapes === undefined ? undefined : shapesFrom(data.shapes),
    source: data.source && { file: data.source.file, line: Int32Array.from(data.source.line), column: Int32Array.from(data.source.column) },
  };
}

function initialFrom(record: Record<string, unknown> | undefined): Map<number, number | Float64Array> {
  const initial = new Map<number, number | Float64Array>();
  for (const [i, value] of Object.entries(record ?? {})) {
    if (typeof value === 'number') initial.set(Number(i), value);
    else if (Array.isArray(value) && value.every((x) => typeof x === 'number')) initial.set(Number(i), Float64Array.from(value as number[]));
    else throw new LagradError('program JSON', `initial[${i}] must be a number or a list of numbers`);
  }
  return initial;
}

function shapesFrom(record: Record<string, unknown>): Map<number, Shape> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new LagradError('program JSON', "'shapes' must map variable indices to shapes");
  const shapes = new Map<number, Shape>();
  for (const [i, dims] of Object.entries(record)) {
    const shape = Array.isArray(dims) ? checkShape(dims) : 'not a list of dimensions';
    if (typeof shape === 'string') throw new LagradError('program JSON', `shapes[${i}]: ${shape}`);
    shapes.set(Number(i), shape);
  }
  return shapes;
}

function parseText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LagradError('program JSON', (e as Error).message);
  }
}
