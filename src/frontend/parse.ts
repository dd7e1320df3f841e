// Why one file of 310+ lines: The .lag statements (input, init, output, definitions) and their ordering, in one pass over the text.
import { LagradError } from '../error.ts';
import { ProgramBuilder } from '../program/builder.ts';
import type { Program } from '../program/program.ts';
import { ExpressionParser, type NameLookup } from './expression.ts';
import { isNameStart, Scanner } from './tokens.ts';
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
  const input = (name: string) =>
    Object.hasOwn(shapes, name) ? builder.input(name, shapes[name]) : builder.input(name);
  const declared = options.inputs;
  if (declared) for (const name of inputList(declared, file)) input(name);
  const names = builder.nameTable();
  const offset = source.indexOf(text);
  const lookup: NameLookup = (line, start, end, hash, column) => {
    const entry = names.intern(line, start, end, hash);
    if (names.valueOf(entry) >= 0) return names.valueOf(entry);
    const name = names.nameOf(entry);
    if (declared)
      throw new LagradError(
        `${file}:1:${column}`,
        `'${name}' is not among the declared inputs (${declared.join(', ')})`,
      );
    const i = input(name);
    builder.locate(i, 1, column);
    return i;
  };
  const scanner = new Scanner(file);
  scanner.reset(source, 0, offset, offset + text.length, 1);
  const root = new ExpressionParser(builder).parse(scanner, lookup);
  const program = builder.output(root).build();
  if (!declared) appearanceOrder.add(program);
  return program;
}

/** The `inputs` option checked: names, each once. */
function inputList(inputs: readonly string[], file: string): readonly string[] {
  if (!Array.isArray(inputs)) throw new LagradError(`${file}: inputs`, 'must be an array of input names');
  const seen = new Set<string>();
  for (const name of inputs) {
    if (typeof name !== 'string' || !NAME.test(name))
      throw new LagradError(
        `${file}: inputs`,
        `${typeof name === 'string' ? `'${name}'` : String(name)} is not a name`,
      );
    if (seen.has(name)) throw new LagradError(`${file}: inputs`, `'${name}' is listed twice`);
    seen.add(name);
  }
  return inputs;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORD = /^(input|output|init)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(\[[^\]]*\]?)?\s*(?:=\s*(.*))?$/;
const EQUALS = 61;

const notAStatement = (where: string) =>
  new LagradError(where, `expected 'NAME = expression', 'input NAME', 'init NAME = number' or 'output NAME'`);

/** True when text[start, end) is one of the statement keywords input, output, init. */
function isKeyword(text: string, start: number, end: number): boolean {
  const length = end - start;
  return (
    (length === 5 && text.startsWith('input', start)) ||
    (length === 6 && text.startsWith('output', start)) ||
    (length === 4 && text.startsWith('init', start))
  );
}

/**
 * Parses a `.lag` program: one statement per line (`input x = 2`, `a = x^2 + y`, `init v = 1`,
 * `output v`), `#` comments, names usable before their definition. Every name must be an input
 * or defined exactly once.
 *
 * Read in one pass over the text, without cutting lines or names out of it: a Scanner reads each
 * line in place and names are looked up in the builder's name table where they stand. A name used
 * before its definition is a placeholder whose number is its name-table entry, patched at the end.
 */
export function parseProgram(source: string, options: ParseOptions = {}): Program {
  const file = options.file ?? 'program';
  // Room for a constraint per 4 characters: more than any text needs, and untouched room is free.
  const builder = new ProgramBuilder(file, Math.max(64, source.length >> 2));
  // Shapes are checked once, by build, in evaluation order and with each constraint's place.
  builder.checkShapes = false;
  const names = builder.nameTable();
  // Each line defines at most one name: room for them all, so the table never rehashes.
  let lines = 1;
  for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) lines++;
  names.reserve(lines);
  const expressions = new ExpressionParser(builder);
  const scanner = new Scanner(file);
  // Where each name was first used before its definition: line and column at 2·entry, 2·entry + 1
  // (line 0: never used before its definition).
  let firstUse = new Int32Array(256);
  const inits: { name: string; value: number; line: number; column: number; shape: Shape | undefined }[] = [];
  const outputs: { name: string; line: number; column: number }[] = [];
  let line = 0;
  const where = (column: number) => `${file}:${line}:${column}`;

  // A second `init v` or `output v` is an error at its statement: a variable has one start and
  // counts once in the objective. Name → line of the first, per kind.
  const seen = { init: new Map<string, number>(), output: new Map<string, number>() };
  const once = (kind: 'init' | 'output', name: string, column: number) => {
    const first = seen[kind].get(name);
    if (first !== undefined)
      throw new LagradError(where(column), `'${kind} ${name}' is given twice (first on line ${first})`);
    seen[kind].set(name, line);
  };
  const fresh = (name: string, column: number) => {
    const first = builder.lookup(name);
    if (first !== undefined)
      throw new LagradError(where(column), `'${name}' is defined twice (first on line ${builder.lineOf(first)})`);
  };
  const lookup: NameLookup = (text, start, end, hash, column) => {
    const entry = names.intern(text, start, end, hash);
    const known = names.valueOf(entry);
    if (known >= 0) return known;
    if (2 * entry + 1 >= firstUse.length) {
      const bigger = new Int32Array(Math.max(2 * firstUse.length, 2 * entry + 2));
      bigger.set(firstUse);
      firstUse = bigger;
    }
    if (firstUse[2 * entry] === 0) {
      firstUse[2 * entry] = line;
      firstUse[2 * entry + 1] = column;
    }
    return builder.placeholder(entry);
  };

  /** input, output and init lines, read with a regular expression (they are few). */
  const keyword = (body: string, indent: number): boolean => {
    const match = KEYWORD.exec(body);
    if (!match) return false;
    const [, kind, name, dims, rest] = match;
    const nameColumn = indent + body.indexOf(name, kind.length);
    const dimsColumn = dims === undefined ? 0 : indent + body.indexOf(dims, nameColumn - indent);
    if (dims !== undefined && kind === 'output')
      throw new LagradError(
        where(dimsColumn),
        `shapes are declared on inputs (input ${name}${dims}) and on the inits of cyclic variables (init ${name}${dims} = 0); other shapes are inferred`,
      );
    if (kind === 'output') {
      if (rest !== undefined)
        throw new LagradError(where(indent), `write 'output ${name}' alone; define ${name} on its own line`);
      once('output', name, indent);
      outputs.push({ name, line, column: nameColumn });
      return true;
    }
    const value =
      rest === undefined ? undefined : number(rest, where(indent + body.indexOf(rest, nameColumn - indent)), kind);
    if (kind === 'input') {
      fresh(name, nameColumn);
      const shape = dims === undefined ? undefined : shapeOf(dims, where(dimsColumn));
      builder.locate(
        shape === undefined ? builder.input(name, value) : builder.input(name, shape, value),
        line,
        nameColumn,
      );
      return true;
    }
    if (value === undefined) throw new LagradError(where(indent), `init needs a value: init ${name} = 1`);
    once('init', name, indent);
    inits.push({
      name,
      value,
      line,
      column: nameColumn,
      shape: dims === undefined ? undefined : shapeOf(dims, where(dimsColumn)),
    });
    return true;
  };

  /** The statement on source[lineStart, end) (a comment already cut off). */
  const statement = (lineStart: number, end: number) => {
    scanner.reset(source, lineStart, lineStart, end, line);
    const c = scanner.peek();
    if (c < 0) return;
    const indent = scanner.column;
    if (!isNameStart(c)) throw notAStatement(where(indent));
    scanner.next();
    const { start: nameStart, end: nameEnd, hash } = scanner;
    if (isKeyword(source, nameStart, nameEnd) && keyword(source.slice(nameStart, end).trimEnd(), indent)) return;
    if (scanner.peek() !== EQUALS) throw notAStatement(where(indent));
    scanner.skip();
    const before = builder.size;
    let root = expressions.parse(scanner, lookup);
    // The named variable is the constraint at the root; a bare name or a reused variable gets \`id\`.
    if (root < before) {
      root = builder.apply('id', root);
      builder.locate(root, line, indent);
    }
    const entry = names.intern(source, nameStart, nameEnd, hash);
    const first = builder.claimEntry(root, entry);
    if (first >= 0)
      throw new LagradError(
        where(indent),
        `'${names.nameOf(entry)}' is defined twice (first on line ${builder.lineOf(first)})`,
      );
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
    statement(lineStart, hash < lineEnd ? hash : lineEnd);
    lineStart = lineEnd + 1;
  }

  // A name used before its definition and never defined: the first such, where it was first used.
  for (let entry = 0; entry < names.count && 2 * entry < firstUse.length; entry++) {
    if (firstUse[2 * entry] === 0 || names.valueOf(entry) >= 0) continue;
    const name = names.nameOf(entry);
    throw new LagradError(
      `${file}:${firstUse[2 * entry]}:${firstUse[2 * entry + 1]}`,
      `'${name}' is not defined (neither an input nor assigned)`,
    );
  }
  builder.resolve((entry) => names.valueOf(entry));
  const indexOf = (name: string, at: { line: number; column: number }, what: string) => {
    const i = builder.lookup(name);
    if (i === undefined) throw new LagradError(`${file}:${at.line}:${at.column}`, what);
    return i;
  };
  for (const i of inits)
    builder.init(indexOf(i.name, i, `init names '${i.name}', which is not defined`), i.value, i.shape);
  if (outputs.length === 0) throw new LagradError(file, "no output; add a line 'output NAME'");
  for (const o of outputs) builder.output(indexOf(o.name, o, `output names '${o.name}', which is not defined`));
  const program = builder.build();
  if (options.inputs) {
    const inputNames = program.inputNames;
    const given = inputList(options.inputs, file);
    if (given.length !== inputNames.length || given.some((name, k) => name !== inputNames[k])) {
      throw new LagradError(
        `${file}: inputs`,
        `the file declares its inputs as ${inputNames.join(', ')}; the inputs option must list the same, in that order`,
      );
    }
  }
  return program;
}

/** `[150, 4]` or `[3]` from an input declaration; anything else is an error at `where`. */
function shapeOf(text: string, where: string): Shape {
  if (!text.endsWith(']'))
    throw new LagradError(where, `'${text}' is not closed: write a shape as [n] or [rows, cols]`);
  const inner = text.slice(1, -1).trim();
  const parts = inner === '' ? [] : inner.split(',').map((d) => d.trim());
  if (parts.length === 0)
    throw new LagradError(
      where,
      'an empty shape []: a scalar input has no brackets; a vector is [n], a matrix [rows, cols]',
    );
  if (parts.includes('')) throw new LagradError(where, `shape ${text} has an empty dimension`);
  const dims = parts.map((d) => (/^\d+$/.test(d) ? Number(d) : d));
  const shape = checkShape(dims);
  if (typeof shape === 'string') throw new LagradError(where, `shape ${text}: ${shape}`);
  return shape;
}

function number(text: string, where: string, kind: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new LagradError(where, `${kind} takes a number, not '${t}'`);
  const x = Number(t);
  if (!Number.isFinite(x)) throw new LagradError(where, `${t} = ${x}: not a finite number`);
  return x;
}
