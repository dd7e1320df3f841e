import { LagradError } from '../error.ts';
import { ProgramBuilder } from '../program/builder.ts';
import type { Program } from '../program/program.ts';
import { ExpressionParser } from './expression.ts';
import { tokenize } from './tokens.ts';
import { checkShape, type Shape } from '../program/shape.ts';

export interface ParseOptions {
  /** The file name used in error messages and the program's source map. */
  readonly file?: string;
  /**
   * Shapes of inputs by name, for an expression (whose inputs are otherwise scalars): with
   * `{ X: [150, 4], W: [4, 3] }`, `sum(X @ W)` parses. A `.lag` program declares its own.
   */
  readonly shapes?: Readonly<Record<string, Shape>>;
  /**
   * The inputs in order: an expression's free names must be among them (any not used still count,
   * with gradient 0), and points may then be arrays in this order. A `.lag` text declares its own
   * order; given here too, it must be the same list.
   */
  readonly inputs?: readonly string[];
}

/** Expressions parsed without `inputs`: their input order is only the order of first appearance. */
const appearanceOrder = new WeakSet<Program>();

/**
 * True when the program's input order was declared — by a `.lag` file, `trace`, the builder or
 * `parse(text, { inputs })` — so that a point may list values by position. An expression parsed
 * without `inputs` orders them by first appearance, which a reader cannot see: name the values.
 */
export function declaresInputOrder(program: Program): boolean {
  return !appearanceOrder.has(program);
}

const STATEMENT = /^\s*(input|output|init)\b|=/m;

/**
 * Parses an expression (`z + sin(x^2 + y*exp(z))`) or a `.lag` program text (DESIGN §5–6) into a
 * Program. A text is a program when some line assigns (`=`) or starts with input, output or init.
 */
export function parse(source: string, options: ParseOptions = {}): Program {
  return STATEMENT.test(source) ? parseProgram(source, options) : parseExpressionText(source, options);
}

/** An expression's free names are its inputs, in order of first appearance; its value is the output. */
export function parseExpressionText(source: string, options: ParseOptions = {}): Program {
  const text = source.trim();
  const file = options.file ?? 'expression';
  if (text.includes('\n')) throw new LagradError(file, 'an expression is one line; write a .lag program for several');
  const builder = new ProgramBuilder(file);
  builder.checkShapes = false;
  const shapes = options.shapes ?? {};
  const input = (name: string) => (Object.hasOwn(shapes, name) ? builder.input(name, shapes[name]) : builder.input(name));
  const declared = options.inputs;
  if (declared) for (const name of inputList(declared, file)) input(name);
  const offset = source.indexOf(text);
  const lookup = (name: string, column: number) => {
    const known = builder.lookup(name);
    if (known !== undefined) return known;
    if (declared) throw new LagradError(`${file}:1:${column}`, `'${name}' is not among the declared inputs (${declared.join(', ')})`);
    const i = input(name);
    builder.locate(i, 1, column);
    return i;
  };
  const root = new ExpressionParser(builder).parse(tokenize(source, offset, offset + text.length, file, 1), lookup, file, 1);
  const program = builder.output(root).build();
  if (!declared) appearanceOrder.add(program);
  return program;
}

/** The `inputs` option checked: names, each once. */
function inputList(inputs: readonly string[], file: string): readonly string[] {
  if (!Array.isArray(inputs)) throw new LagradError(`${file}: inputs`, 'must be an array of input names');
  const seen = new Set<string>();
  for (const name of inputs) {
    if (typeof name !== 'string' || !NAME.test(name)) throw new LagradError(`${file}: inputs`, `${typeof name === 'string' ? `'${name}'` : String(name)} is not a name`);
    if (seen.has(name)) throw new LagradError(`${file}: inputs`, `'${name}' is listed twice`);
    seen.add(name);
  }
  return inputs;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORD = /^(input|output|init)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\]?)?\s*(?:=\s*(.*))?$/;
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/;

/**
 * Parses a `.lag` program: one statement per line (`input x = 2`, `a = x^2 + y`, `init v = 1`,
 * `output v`), `#` comments, names usable before their definition. Every name must be an input
 * or defined exactly once.
 */
export function parseProgram(source: string, options: ParseOptions = {}): Program {
  const file = options.file ?? 'program';
  // Room for a constraint per 4 characters: more than any text needs, and untouched room is free.
  const builder = new ProgramBuilder(file, Math.max(64, source.length >> 2));
  // Shapes are checked once, by build, in evaluation order and with each constraint's place.
  builder.checkShapes = false;
  const expressions = new ExpressionParser(builder);
  // Names used before their definition: placeholder k stands for references[k].
  const references: { name: string; line: number; column: number }[] = [];
  const referenceOf = new Map<string, number>();
  const inits: { name: string; value: number; line: number; column: number; shape: Shape | undefined }[] = [];
  const outputs: { name: string; line: number; column: number }[] = [];
  let line = 0;
  // One closure for the whole text (it reads the current `line`), not one per line.
  const where = (column: number) => `${file}:${line}:${column}`;

  // A second `init v` or `output v` is an error at its statement: a variable has one start and
  // counts once in the objective. Name → line of the first, per kind.
  const seen = { init: new Map<string, number>(), output: new Map<string, number>() };
  const once = (kind: 'init' | 'output', name: string, column: number) => {
    const first = seen[kind].get(name);
    if (first !== undefined) throw new LagradError(where(column), `'${kind} ${name}' is given twice (first on line ${first})`);
    seen[kind].set(name, line);
  };
  const fresh = (name: string, column: number) => {
    const first = builder.lookup(name);
    if (first !== undefined) throw new LagradError(where(column), `'${name}' is defined twice (first on line ${builder.lineOf(first)})`);
  };
  const lookup = (name: string, column: number) => {
    const known = builder.lookup(name);
    if (known !== undefined) return known;
    let k = referenceOf.get(name);
    if (k === undefined) {
      k = references.length;
      references.push({ name, line, column });
      referenceOf.set(name, k);
    }
    return builder.placeholder(k);
  };

  const statement = (text: string) => {
    const body = text.trim();
    if (body === '') return;
    const indent = text.indexOf(body) + 1;
    // Only lines starting with i or o can be input, init or output statements.
    const initial = body.charCodeAt(0);
    const keyword = initial === 105 || initial === 111 ? KEYWORD.exec(body) : null;
    if (keyword) {
      const [, kind, name, dims, rest] = keyword;
      const nameColumn = indent + body.indexOf(name, kind.length);
      const dimsColumn = dims === undefined ? 0 : indent + body.indexOf(dims, nameColumn - indent);
      if (dims !== undefined && kind === 'output') throw new LagradError(where(dimsColumn), `shapes are declared on inputs (input ${name}${dims}) and on the inits of cyclic variables (init ${name}${dims} = 0); other shapes are inferred`);
      if (kind === 'output') {
        if (rest !== undefined) throw new LagradError(where(indent), `write 'output ${name}' alone; define ${name} on its own line`);
        once('output', name, indent);
        outputs.push({ name, line, column: nameColumn });
        return;
      }
      const value = rest === undefined ? undefined : number(rest, where(indent + body.indexOf(rest, nameColumn - indent)), kind);
      if (kind === 'input') {
        fresh(name, nameColumn);
        const shape = dims === undefined ? undefined : shapeOf(dims, where(dimsColumn));
        builder.locate(shape === undefined ? builder.input(name, value) : builder.input(name, shape, value), line, nameColumn);
        return;
      }
      if (value === undefined) throw new LagradError(where(indent), `init needs a value: init ${name} = 1`);
      once('init', name, indent);
      inits.push({ name, value, line, column: nameColumn, shape: dims === undefined ? undefined : shapeOf(dims, where(dimsColumn)) });
      return;
    }
    const assignment = ASSIGNMENT.exec(body);
    if (!assignment) throw new LagradError(where(indent), `expected 'NAME = expression', 'input NAME', 'init NAME = number' or 'output NAME'`);
    const name = assignment[1];
    const from = indent - 1 + assignment[0].length;
    const before = builder.size;
    let root = expressions.parse(tokenize(text, from, text.length, file, line), lookup, file, line);
    // The named variable is the constraint at the root; a bare name or a reused variable gets `id`.
    if (root < before) {
      root = builder.apply('id', root);
      builder.locate(root, line, indent);
    }
    const first = builder.claim(root, name);
    if (first >= 0) throw new LagradError(where(indent), `'${name}' is defined twice (first on line ${builder.lineOf(first)})`);
  };

  let lineStart = 0;
  // The next '#' at or after lineStart, found once per comment rather than once per line, so a
  // text without comments is not rescanned for every line.
  let hash = -1;
  for (line = 1; lineStart <= source.length; line++) {
    let lineEnd = source.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = source.length;
    if (hash !== Infinity && hash < lineStart) {
      hash = source.indexOf('#', lineStart);
      if (hash < 0) hash = Infinity;
    }
    statement(source.slice(lineStart, hash < lineEnd ? hash : lineEnd));
    lineStart = lineEnd + 1;
  }

  const indexOf = (name: string, at: { line: number; column: number }, what: string) => {
    const i = builder.lookup(name);
    if (i === undefined) throw new LagradError(`${file}:${at.line}:${at.column}`, what);
    return i;
  };
  const targets = references.map((r) => indexOf(r.name, r, `'${r.name}' is not defined (neither an input nor assigned)`));
  builder.resolve((k) => targets[k]);
  for (const i of inits) builder.init(indexOf(i.name, i, `init names '${i.name}', which is not defined`), i.value, i.shape);
  if (outputs.length === 0) throw new LagradError(file, "no output; add a line 'output NAME'");
  for (const o of outputs) builder.output(indexOf(o.name, o, `output names '${o.name}', which is not defined`));
  const program = builder.build();
  if (options.inputs) {
    const names = program.inputNames;
    const given = inputList(options.inputs, file);
    if (given.length !== names.length || given.some((name, k) => name !== names[k])) {
      throw new LagradError(`${file}: inputs`, `the file declares its inputs as ${names.join(', ')}; the inputs option must list the same, in that order`);
    }
  }
  return program;
}

/** `[150, 4]` or `[3]` from an input declaration; anything else is an error at `where`. */
function shapeOf(text: string, where: string): Shape {
  if (!text.endsWith(']')) throw new LagradError(where, `'${text}' is not closed: write a shape as [n] or [rows, cols]`);
  const inner = text.slice(1, -1).trim();
  const parts = inner === '' ? [] : inner.split(',').map((d) => d.trim());
  if (parts.length === 0) throw new LagradError(where, 'an empty shape []: a scalar input has no brackets; a vector is [n], a matrix [rows, cols]');
  if (parts.includes('')) throw new LagradError(where, `shape ${text} has an empty dimension`);
  const dims = parts.map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  const shape = checkShape(dims);
  if (typeof shape === 'string') throw new LagradError(where, `shape ${text}: ${shape}`);
  return shape;
}

function number(text: string, where: string, kind: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new LagradError(where, `${kind} takes a number, not '${t}'`);
  return Number(t);
}
