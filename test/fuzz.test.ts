import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkTimed, fuzzers } from './fuzz/properties.ts';

// The fuzzers of test/fuzz/, a short seeded pass each (the same cases on every run). Long runs:
// `npm run fuzz -- --runs 100000` (test/fuzz/main.ts), which also bounds each case's time.

const SEED = 20240609;

describe('fuzzing (a seeded pass; npm run fuzz for long runs)', () => {
  for (const fuzzer of fuzzers) {
    it(`${fuzzer.name}: ${fuzzer.rule}`, async () => {
      await fc.assert(
        fc.asyncProperty(fuzzer.arbitrary, (value) => checkTimed(fuzzer, value)),
        { numRuns: fuzzer.ciRuns, seed: SEED },
      );
    }, 120_000);
  }
});
