import { describe, expect, it } from 'vitest';
import { LagradError, ops, parse, parseProgram, ProgramBuilder, trace, type Var } from '../src/index.ts';
import { lagrad } from './helpers/cli.ts';

// Issue 9, family 1: a constant that folds to NaN or ±∞ never becomes a value or an index; it is a
// one-line error at the place of the operation that made it, in either syntax, with the name used
// before or after its definition, through the API and through every command that reads a program.

/** A constant subexpression, the offset of the character the error names, and what it folds to. */
const folds: readonly (readonly [string, number, 'NaN' | 'Infinity' | '-Infinity'])[] = [
  ['log(-1)', 0, 'NaN'],
  ['0/0', 1, 'NaN'],
  ['sqrt(-1)', 0, 'NaN'],
  ['1e308*10', 5, 'Infinity'],
  ['(0 - 1e308)*10', 11, '-Infinity'],
  ['log(1 - 1)', 0, '-Infinity'],
];

/** Where `snippet` sits in `line` (1-based column of its named character). */
const columnOf = (line: string, snippet: string, offset: number) => line.indexOf(snippet) + offset + 1;

/** `.lag` programs holding `snippet` on the line of `a`: `a` used before its line, and after. */
function programs(snippet: string): { label: string; text: string; line: number; lineText: string }[] {
  const aLine = `a = sin(${snippet}) + x`;
  return [
    {
      label: 'forward reference',
      text: ['input x = 0.5', 'b = a * x', aLine, 'output b'].join('\n'),
      line: 3,
      lineText: aLine,
    },
    {
      label: 'no forward reference',
      text: ['input x = 0.5', aLine, 'b = a * x', 'output b'].join('\n'),
      line: 2,
      lineText: aLine,
    },
  ];
}

const oneLine = (where: string, result: string) =>
  new RegExp(`^${where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: \\S.* = ${result}: not a finite number$`);

describe('constants that fold to NaN or ±Infinity are errors at their place', () => {
  for (const [snippet, offset, result] of folds) {
    it(`${snippet} in expression syntax, through parse and the CLI`, async () => {
      for (const expression of [`x + ${snippet}`, `sin(${snippet}) * x`, `${snippet} - x`]) {
        const where = `expression:1:${columnOf(expression, snippet, offset)}`;
        let error: unknown;
        try {
          parse(expression);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(LagradError);
        expect((error as LagradError).where).toBe(where);
        expect((error as Error).message).toMatch(oneLine(where, result));
        for (const command of ['grad', 'eval', 'verify']) {
          const r = await lagrad([command, expression, '--at', 'x=0.5']);
          expect([r.status, r.out]).toEqual([1, '']);
          expect(r.err.endsWith('\n') && r.err.indexOf('\n') === r.err.length - 1).toBe(true);
          expect(r.err.slice('lagrad: '.length, -1)).toMatch(oneLine(where, result));
        }
        const json = await lagrad(['grad', expression, '--at', 'x=0.5', '--json']);
        expect(json.status).toBe(1);
        expect(JSON.parse(json.err).error.where).toBe(where);
      }
    });

    it(`${snippet} in a .lag program, with and without a forward reference, through parseProgram and the CLI`, async () => {
      for (const { label, text, line, lineText } of programs(snippet)) {
        const where = `prog.lag:${line}:${columnOf(lineText, snippet, offset)}`;
        let error: unknown;
        try {
          parseProgram(text, { file: 'prog.lag' });
        } catch (e) {
          error = e;
        }
        expect(error, label).toBeInstanceOf(LagradError);
        expect((error as LagradError).where, label).toBe(where);
        expect((error as Error).message, label).toMatch(oneLine(where, result));
        for (const command of ['grad', 'eval', 'verify']) {
          const r = await lagrad([command, 'prog.lag'], { 'prog.lag': text });
          expect([r.status, r.out], `${command}, ${label}`).toEqual([1, '']);
          expect(r.err, `${command}, ${label}`).toMatch(
            new RegExp(`^lagrad: ${oneLine(where, result).source.slice(1, -1)}\\n$`),
          );
        }
        const piped = await lagrad(['grad', '-'], {}, text);
        expect(piped.status).toBe(1);
        expect(piped.err).toMatch(
          new RegExp(
            `^lagrad: \\S+:${line}:${columnOf(lineText, snippet, offset)}: .* = ${result}: not a finite number\\n$`,
          ),
        );
      }
    });
  }

  it('a finite constant beside them is kept (only the non-finite fold is refused)', () => {
    const p = parseProgram('input x = 0.5\nb = a * x\na = sin(log(2) + 0/1 + 1e308*0.1) + x\noutput b');
    expect(p.size).toBeGreaterThan(1);
  });
});

describe('the trace front-end takes only its own variables and numbers as operands', () => {
  const { add, mul, sum, max } = ops;
  const refused: readonly [string, (x: Var) => unknown, RegExp][] = [
    ['a plain object with an index', (x) => add(x, { index: 0 } as unknown as Var), /argument 2 is an object/],
    [
      'a look-alike of a variable of this trace',
      (x) => mul({ index: x.index, builder: x.builder } as unknown as Var, x),
      /argument 1 is an object/,
    ],
    ['null', (x) => add(x, null as unknown as number), /argument 2 is null/],
    ['undefined', (x) => sum(x, x, undefined as unknown as number), /argument 3 is undefined/],
    ['a numeric string', (x) => max(x, '0' as unknown as number), /argument 2 is the string "0"/],
    ['a boolean', (x) => x.add(true as unknown as number), /argument 2 is boolean true/],
    ['an array', (x) => x.mul([0] as unknown as number), /argument 2 is an array/],
  ];
  for (const [label, body, what] of refused) {
    it(`refuses ${label}, naming the caller's line`, () => {
      let error: unknown;
      try {
        trace(({ x }) => body(x) as Var, ['x']);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LagradError);
      expect((error as Error).message).toMatch(/nonfinite-constants\.test\.ts:\d+:\d+: primitive '\w+': /);
      expect((error as Error).message).toMatch(what);
      expect((error as Error).message).toMatch(/neither a traced variable nor a number$/);
    });
  }

  it('refuses outputs that are not variables of the trace, whatever the form of the result', () => {
    for (const result of [3, null, { a: 3 }, { a: { index: 0 } }, ['x']]) {
      expect(() => trace(() => result as unknown as Var, ['x'])).toThrow(
        'trace: the function must return variables of this trace',
      );
    }
  });

  it('still folds a number operand into θ', () => {
    const p = trace(({ x }) => mul(add(x, 2), 3), ['x']);
    expect(p.size).toBe(3);
  });
});

describe('the builder never reads a bad value as an index', () => {
  it('refuses every non-index as a parent, an output or a name target, and records nothing', () => {
    const b = new ProgramBuilder();
    const x = b.input('x');
    const bad: unknown[] = [
      null,
      undefined,
      '0',
      true,
      0n,
      [0],
      { valueOf: () => 0 },
      0.5,
      NaN,
      -0.5,
      2 ** 32,
      2 ** 31,
      -(2 ** 31),
      Infinity,
      1,
    ];
    for (const index of bad) {
      expect(() => b.apply('sin', index as number), String(index)).toThrow(LagradError);
      expect(() => b.apply('add', x, index as number), String(index)).toThrow(LagradError);
      expect(() => b.applyMany('sum', [x, index as number]), String(index)).toThrow(LagradError);
      expect(() => b.output(index as number), String(index)).toThrow(LagradError);
      expect(() => b.name(index as number, 'n'), String(index)).toThrow(LagradError);
    }
    // An absent θ (undefined) is the primitive's default; every other non-number is refused.
    for (const theta of [null, '1', true, NaN, Infinity, -Infinity, { valueOf: () => 1 }]) {
      expect(() => b.apply('scale', x, undefined, theta as number), String(theta)).toThrow(/not a finite number/);
      expect(() => b.constant(theta as number), String(theta)).toThrow(/not a finite number/);
    }
    expect(() => b.constant(undefined as unknown as number)).toThrow(/not a finite number/);
    expect(b.size).toBe(1);
  });
});
