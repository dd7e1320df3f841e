import { LagradError } from '../error.ts';
import { ProgramBuilder } from '../program/builder.ts';
import type { Program } from '../program/program.ts';
import { parseExpression } from './expression.ts';
import { tokenize } from './tokens.ts';

export interface ParseOptions {
  /** The file name used in error messages and the program's source map. */
  readonly file?: string;
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
  if (text.includes('\n')) throw new LagradError(options.file ?? 'expression', 'an expression is one line; write a .lag program for several');
  const file = options.file ?? 'expression';
  const builder = new ProgramBuilder(file);
  const offset = source.indexOf(text);
  const where = (column: number) => `${file}:1:${column}`;
  const lookup = (name: string, column: number) => {
    const known = builder.lookup(name);
    if (known !== undefined) return known;
    const input = builder.input(name);
    builder.locate(input, 1, column);
    return input;
  };
  const root = parseExpression(tokenize(source, offset, offset + text.length, where), builder, lookup, where, 1);
  return builder.output(root).build();
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Parses a `.lag` program: one statement per line (`input x = 2`, `a = x^2 + y`, `init v = 1`,
 * `output v`), `#` comments, names usable before their definition. Every name must be an input
 * or defined exactly once.
 */
export function parseProgram(source: string, options: ParseOptions = {}): Program {
  const file = options.file ?? 'program';
  const builder = new ProgramBuilder(file);
  const defined = new Map<string, { index: number; line: number }>();
  // Names used before their definition: placeholder k stands for references[k].
  const references: { name: string; line: number; column: number }[] = [];
  const referenceOf = new Map<string, number>();
  const inits: { name: string; value: number; line: number; column: number }[] = [];
  const outputs: { name: string; line: number; column: number }[] = [];

  const define = (name: string, index: number, line: number, column: number) => {
    const first = defined.get(name);
    if (first) throw new LagradError(`${file}:${line}:${column}`, `'${name}' is defined twice (first on line ${first.line})`);
    defined.set(name, { index, line });
    builder.name(index, name);
  };
  const forward = (name: string, line: number, column: number) => {
    let k = referenceOf.get(name);
    if (k === undefined) {
      k = references.length;
      references.push({ name, line, column });
      referenceOf.set(name, k);
    }
    return builder.placeholder(k);
  };

  let lineStart = 0;
  for (let line = 1; lineStart <= source.length; line++) {
    let lineEnd = source.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = source.length;
    const hash = source.indexOf('#', lineStart);
    const end = hash >= 0 && hash < lineEnd ? hash : lineEnd;
    const text = source.slice(lineStart, end);
    const where = (column: number) => `${file}:${line}:${column}`;
    statement(text, line, where);
    lineStart = lineEnd + 1;
  }

  function statement(text: string, line: number, where: (column: number) => string) {
    const body = text.trim();
    if (body === '') return;
    const indent = text.indexOf(body) + 1;
    const keyword = /^(input|output|init)\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(.*))?$/.exec(body);
    if (keyword) {
      const [, kind, name, rest] = keyword;
      const nameColumn = indent + body.indexOf(name, kind.length);
      if (kind === 'output') {
        if (rest !== undefined) throw new LagradError(where(indent), `write 'output ${name}' alone; define ${name} on its own line`);
        outputs.push({ name, line, column: nameColumn });
        return;
      }
      const value = rest === undefined ? undefined : number(rest, where(indent + body.indexOf(rest, nameColumn - indent)), kind);
      if (kind === 'input') {
        define(name, builder.input(name, value), line, nameColumn);
        builder.locate(defined.get(name)!.index, line, nameColumn);
        return;
      }
      if (value === undefined) throw new LagradError(where(indent), `init needs a value: init ${name} = 1`);
      inits.push({ name, value, line, column: nameColumn });
      return;
    }
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(body);
    if (!assignment) throw new LagradError(where(indent), `expected 'NAME = expression', 'input NAME', 'init NAME = number' or 'output NAME'`);
    const name = assignment[1];
    const from = indent - 1 + assignment[0].length;
    const lineText = text;
    const before = builder.size;
    const lookup = (n: string, column: number) => defined.get(n)?.index ?? forward(n, line, column);
    let root = parseExpression(tokenize(lineText, from, lineText.length, where), builder, lookup, where, line);
    // The named variable is the constraint at the root; a bare name or a reused variable gets `id`.
    if (root < before) {
      root = builder.apply('id', root);
      builder.locate(root, line, indent);
    }
    define(name, root, line, indent);
  }

  for (const r of references) if (!defined.has(r.name)) throw new LagradError(`${file}:${r.line}:${r.column}`, `'${r.name}' is not defined (neither an input nor assigned)`);
  builder.resolve((k) => defined.get(references[k].name)!.index);
  for (const i of inits) {
    const d = defined.get(i.name);
    if (!d) throw new LagradError(`${file}:${i.line}:${i.column}`, `init names '${i.name}', which is not defined`);
    builder.init(d.index, i.value);
  }
  if (outputs.length === 0) throw new LagradError(file, "no output; add a line 'output NAME'");
  for (const o of outputs) {
    const d = defined.get(o.name);
    if (!d) throw new LagradError(`${file}:${o.line}:${o.column}`, `output names '${o.name}', which is not defined`);
    builder.output(d.index);
  }
  return builder.build();
}

function number(text: string, where: string, kind: string): number {
  const t = text.trim();
  if (!NUMBER.test(t)) throw new LagradError(where, `${kind} takes a number, not '${t}'`);
  return Number(t);
}
