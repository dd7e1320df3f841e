import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromJSON, grad, LagradError, parse, parseProgram, Program, ProgramBuilder, toJSON } from '../src/index.ts';
import { arbitraryCyclicProgram } from './helpers/randomCyclic.ts';
import { mutate, mutation, validProgramJson } from './fuzz/jsonMutations.ts';

// Family 3 of issue 9: every field of a program's JSON form is checked before it goes into a typed
// array — no 2^32 wrapping to 0, no null or 0.5 read as an index — and every fault is a LagradError
// naming the field and index.

const good = () => JSON.parse(JSON.stringify(parse('sin(x) * y + 2')));

describe('fromJSON refuses every malformed field, naming it', () => {
  const cases: [string, (j: Record<string, any>) => unknown, RegExp][] = [
    [
      'a parent index of 2^32 (which Int32Array would wrap to 0)',
      (j) => (j.parents[0] = 2 ** 32),
      /^program JSON: parents\[0\]: 4294967296 is not a variable index \(an integer in \[0, 5\)\)$/,
    ],
    [
      'a parent index of null',
      (j) => (j.parents[1] = null),
      /^program JSON: parents\[1\]: null is not a variable index/,
    ],
    ['a parent index of 0.5', (j) => (j.parents[2] = 0.5), /^program JSON: parents\[2\]: 0\.5 is not a variable index/],
    ['a negative parent index', (j) => (j.parents[0] = -1), /^program JSON: parents\[0\]: -1 is not a variable index/],
    ['an output of null', (j) => (j.outputs[0] = null), /^program JSON: outputs\[0\]: null is not a variable index/],
    ['an output past the end', (j) => (j.outputs[0] = 5), /^program JSON: outputs\[0\]: 5 is not a variable index/],
    [
      'an op that names no primitive',
      (j) => (j.ops[2] = 9),
      /^program JSON: ops\[2\]: 9 is not an index into primitives/,
    ],
    [
      'an unknown primitive',
      (j) => (j.primitives[1] = 'sinus'),
      /^program JSON: primitives\[1\]: unknown primitive 'sinus'; did you mean 'sin'\?$/,
    ],
    [
      'a primitive that is not a name',
      (j) => (j.primitives[1] = 3),
      /^program JSON: primitives\[1\]: must be a primitive's name, not 3$/,
    ],
    [
      'offsets of the wrong length',
      (j) => j.parentStart.pop(),
      /^program JSON: parentStart: has 5 entries; 5 ops need 6$/,
    ],
    [
      'offsets that go backwards',
      (j) => (j.parentStart = [0, 0, 2, 1, 3, 4]),
      /^program JSON: parentStart\[3\]: 1 is less than the offset before it \(2\)$/,
    ],
    [
      'offsets that do not span the parents',
      (j) => (j.parentStart[5] = 3),
      /^program JSON: parentStart: must run from 0 to the 4 parents/,
    ],
    [
      'a constant θ of null (NaN in a file)',
      (j) => (j.constants[0][1] = null),
      /^program JSON: constants\[0\]\[1\]: null is not a finite number$/,
    ],
    [
      'a constant on a primitive without one',
      (j) => (j.constants[0][0] = 2),
      /^program JSON: constants\[0\]\[0\]: variable 2 \(sin\) takes no constant$/,
    ],
    [
      'a constant given twice',
      (j) => j.constants.push([4, 3]),
      /^program JSON: constants\[1\]\[0\]: variable 4 is given a constant twice$/,
    ],
    [
      'a constant that is not a pair',
      (j) => (j.constants[0] = 4),
      /^program JSON: constants\[0\]: must be a pair \[variable, θ\], not 4$/,
    ],
    [
      'a name pointing at no variable',
      (j) => (j.names.x = 99),
      /^program JSON: names\['x'\]: 99 is not a variable index/,
    ],
    [
      'a default for a constraint',
      (j) => (j.defaults = { 3: 1 }),
      /^program JSON: defaults\[3\]: variable 3 is not an input, so it has no default$/,
    ],
    [
      'a default key that is not a plain index',
      (j) => (j.defaults = { '01': 1 }),
      /^program JSON: defaults\['01'\]: keys are variable indices written in decimal$/,
    ],
    [
      'a default that is not a number',
      (j) => (j.defaults = { 0: 'two' }),
      /^program JSON: defaults\[0\]: the string "two" is not a finite number$/,
    ],
    [
      'an initial value past the end',
      (j) => (j.initial = { 7: 1 }),
      /^program JSON: initial\[7\]: 7 is not a variable index/,
    ],
    [
      'a source map of the wrong length',
      (j) => (j.source.line = [1]),
      /^program JSON: source\.line: has 1 entries for 5 variables$/,
    ],
    [
      'a source file that is not a name',
      (j) => (j.source.file = 3),
      /^program JSON: source\.file: must be a file name, not 3$/,
    ],
    ['a missing field', (j) => delete j.parents, /^program JSON: parents: must be an array, not missing$/],
    [
      'an unknown field',
      (j) => (j.outptus = [4]),
      /^program JSON: outptus: unknown field; the fields are format, version, /,
    ],
    ['names that are not an object', (j) => (j.names = [1]), /^program JSON: names: must be an object, not an array$/],
    [
      'a constraint with the wrong number of parents',
      (j) => ((j.parentStart = [0, 0, 0, 2, 3, 4]), (j.parents = [0, 1, 2, 3])),
      /takes 1 parents, has 2/,
    ],
  ];
  for (const [what, change, message] of cases) {
    it(what, () => {
      const json = good();
      change(json);
      expect(() => fromJSON(json)).toThrow(LagradError);
      expect(() => fromJSON(json)).toThrow(message);
      expect(() => fromJSON(JSON.stringify(json))).toThrow(LagradError);
    });
  }

  it('refuses what is not an object: null, arrays, numbers, strings, other formats', () => {
    for (const text of ['null', '[]', '5', '"x"', 'true'])
      expect(() => fromJSON(text)).toThrow(/^program JSON: a program is a JSON object, not /);
    expect(() => fromJSON(null as never)).toThrow(/^program JSON: a program is a JSON object, not null$/);
    expect(() => fromJSON('{}')).toThrow(
      "program JSON: not a lagrad program (expected format 'lagrad.program', version 1)",
    );
  });

  it('checks parts handed to Program.from as well: names, defaults, initial values, θ, source map', () => {
    const program = parse('sin(x) * 2');
    const parts = {
      ops: program.ops,
      parentStart: program.parentStart,
      parents: program.parents,
      constants: program.constants,
      outputs: program.outputs,
      names: program.names,
    };
    expect(() => Program.from({ ...parts, outputs: [0.5] })).toThrow('output index 0.5 is not a variable');
    expect(() => Program.from({ ...parts, names: new Map([['x', 9]]) })).toThrow("name 'x' points at 9");
    expect(() => Program.from({ ...parts, defaults: new Map([[0, NaN]]) })).toThrow(
      'default NaN is not a finite number',
    );
    expect(() => Program.from({ ...parts, defaults: new Map([[2, 1]]) })).toThrow(
      'a default for 2, which is not an input',
    );
    expect(() => Program.from({ ...parts, initial: new Map([[1, Infinity]]) })).toThrow(
      'initial value Infinity is not a finite number',
    );
    expect(() => Program.from({ ...parts, constants: Float64Array.of(0, 0, NaN) })).toThrow(
      'the constant θ = NaN is not a finite number',
    );
    expect(() =>
      Program.from({ ...parts, source: { file: 'f', line: new Int32Array(1), column: new Int32Array(1) } }),
    ).toThrow('the source map has 1 lines');
  });
});

describe('the JSON round trip', () => {
  it('keeps a cyclic program in its own order, members included, whatever names it has', () => {
    fc.assert(
      fc.property(arbitraryCyclicProgram(), ({ program, at }) => {
        const text = JSON.stringify(program);
        const back = fromJSON(text);
        expect(JSON.stringify(back)).toBe(text);
        expect(grad(back, at).gradient).toEqual(grad(program, at).gradient);
        // Without the names that rank a component's members, the order is still kept.
        const anonymous = { ...JSON.parse(text), names: {} };
        const once = JSON.stringify(fromJSON(anonymous));
        expect(JSON.stringify(fromJSON(once))).toBe(once);
      }),
      { numRuns: 60 },
    );
  });

  it('reads a hand-written JSON in any order, and orders it', () => {
    const b = new ProgramBuilder();
    const x = b.input('x', 1);
    b.output(b.apply('sin', x));
    const json = toJSON(b.build());
    // The constraint before the input: not an evaluation order; read, then ordered.
    const swapped = {
      ...json,
      ops: [json.ops[1], json.ops[0]],
      parentStart: [0, 1, 1],
      parents: [1],
      outputs: [0],
      names: { x: 1 },
      defaults: { 1: 1 },
      source: undefined,
    };
    expect(grad(fromJSON(swapped as never)).gradient.x).toBe(Math.cos(1));
  });
});

describe('fuzzing fromJSON', () => {
  it('a mutated program JSON is a LagradError, or a Program that the format allows and that round-trips', () => {
    const seeds = [
      parse('sin(x) * y + 2'),
      parseProgram('input t = 0\ninit v = 1\nv = cos(v) + t\noutput v'),
      parseProgram('input x\ninput y = 2\na = max(x, y) * 3\nb = sum(a, x, y)\noutput b'),
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        (seed, mutations, asText) => {
          const mutated = mutate(JSON.parse(JSON.stringify(seed)), mutations);
          const input = asText ? (JSON.stringify(mutated) ?? 'undefined') : mutated;
          const seen = asText && input !== 'undefined' ? JSON.parse(input as string) : mutated;
          let program: Program;
          try {
            program = fromJSON(input as never);
          } catch (e) {
            expect(e).toBeInstanceOf(LagradError);
            expect(validProgramJson(seen)).toBe(false);
            return;
          }
          expect(validProgramJson(seen)).toBe(true);
          const again = JSON.stringify(program);
          expect(JSON.stringify(fromJSON(again))).toBe(again);
        },
      ),
      { numRuns: 2000, seed: 9 },
    );
  });
});
