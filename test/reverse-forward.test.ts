import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grad, parseProgram } from '../src/index.ts';
import { relativeError } from './helpers/finiteDifferences.ts';
import { arbitraryProgram } from './helpers/randomPrograms.ts';

// Two schedules, one system: back-substitution (reverse) and tangent sweeps (forward) must find
// the same multipliers of every variable on arbitrary acyclic programs.
describe('reverse and forward agree', () => {
  it('on the gradient and every multiplier of random programs, to 1e-12', () => {
    fc.assert(
      fc.property(arbitraryProgram({ constraints: 40, inputs: 5 }), ({ program, inputs, weights }) => {
        const options = { weights, multipliers: true };
        const r = grad(program, inputs, { ...options, schedule: 'reverse' });
        const f = grad(program, inputs, { ...options, schedule: 'forward', lanes: 3 });
        expect(f.value).toBe(r.value);
        for (let i = 0; i < program.size; i++) expect(relativeError(f.lambda[i], r.lambda[i])).toBeLessThan(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  it('on the program read back from its .lag text', () => {
    fc.assert(
      fc.property(arbitraryProgram(), ({ program, text, weights }) => {
        const parsed = parseProgram(text, { file: 'random.lag' });
        const a = grad(program, undefined, { weights, schedule: 'reverse' });
        const b = grad(parsed, undefined, { weights, schedule: 'forward' });
        expect(relativeError(a.value, b.value)).toBeLessThan(1e-12);
        for (const [name, g] of Object.entries(a.gradient))
          expect(relativeError(b.gradient[name] as number, g as number)).toBeLessThan(1e-12);
      }),
      { numRuns: 200 },
    );
  });

  it('counts partials exactly: once per constraint whose multiplier is not zero', () => {
    fc.assert(
      fc.property(arbitraryProgram(), ({ program, inputs, weights }) => {
        const r = grad(program, inputs, { weights, schedule: 'reverse' });
        let reached = 0;
        for (let i = program.inputCount; i < program.size; i++) if (r.lambda[i] !== 0) reached++;
        expect(r.stats.partialEvaluations).toBe(reached);
        expect(r.stats.primitiveEvaluations).toBe(program.constraintCount);
      }),
      { numRuns: 100 },
    );
  });

  it('with reused workspace buffers, call after call', () => {
    const workspace = { values: new Float64Array(64), lambda: new Float64Array(64) };
    fc.assert(
      fc.property(arbitraryProgram(), ({ program, inputs, weights }) => {
        const fresh = grad(program, inputs, { weights, schedule: 'reverse' });
        const reused = grad(program, inputs, { weights, schedule: 'reverse', workspace });
        expect(reused.lambda.buffer).toBe(workspace.lambda.buffer);
        expect(Array.from(reused.lambda)).toEqual(Array.from(fresh.lambda));
      }),
      { numRuns: 100 },
    );
  });
});
