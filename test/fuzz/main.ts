// Long fuzzing runs: `npm run fuzz -- [--runs N] [--seed S] [--only parser,json,…] [--minutes M] [--batch B]`.
// Runs each fuzzer of properties.ts for N cases (default 10 000) in batches of seeded fast-check
// runs, each batch in a child process watched by this one: a case that takes longer than the
// limit is killed and reported as a hang, with the case. Every failure is shrunk by fast-check and
// reported with its seed and counterexample; the run goes on with the next batch. Exit status 1
// when anything was found.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { CASE_LIMIT_MS, checkTimed, fuzzers } from './properties.ts';

const BATCH = 500;

interface BatchResult {
  readonly runs: number;
  readonly failure?: {
    readonly counterexample: string;
    readonly error: string;
    readonly seed: number;
    readonly path?: string;
  };
}

type Message = { type: 'case'; value: string } | { type: 'done'; result: BatchResult };

/** In the child: one batch of one fuzzer, reporting each case before it runs. */
async function worker(name: string, runs: number, seed: number): Promise<void> {
  const fuzzer = fuzzers.find((f) => f.name === name)!;
  const send = (m: Message) => new Promise<void>((resolve) => process.send!(m, () => resolve()));
  const details = await fc.check(
    fc.asyncProperty(fuzzer.arbitrary, async (value) => {
      await send({ type: 'case', value: fc.stringify(value) });
      await checkTimed(fuzzer, value);
    }),
    { numRuns: runs, seed },
  );
  const result: BatchResult = details.failed
    ? {
        runs: details.numRuns,
        failure: {
          counterexample: fc.stringify(details.counterexample),
          error: details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance),
          seed,
          path: details.counterexamplePath ?? undefined,
        },
      }
    : { runs: details.numRuns };
  await send({ type: 'done', result });
  process.exit(0);
}

/** In the parent: one batch in a child, killed if one case outlives the limit (plus shrinking time). */
function batch(name: string, runs: number, seed: number): Promise<BatchResult> {
  return new Promise((resolve) => {
    const child = fork(
      fileURLToPath(import.meta.url),
      ['--worker', name, '--runs', String(runs), '--seed', String(seed)],
      { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
    );
    let current = '';
    let cases = 0;
    let settled = false;
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        settled = true;
        child.kill('SIGKILL');
        resolve({
          runs: cases,
          failure: { counterexample: current, error: `hang: no answer within ${(3 * CASE_LIMIT_MS) / 1000} s`, seed },
        });
      }, 3 * CASE_LIMIT_MS);
    };
    arm();
    child.on('message', (m: Message) => {
      if (m.type === 'case') {
        current = m.value;
        cases++;
        arm();
      } else {
        settled = true;
        clearTimeout(timer);
        resolve(m.result);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!settled)
        resolve({
          runs: cases,
          failure: { counterexample: current, error: `the worker exited with status ${code}`, seed },
        });
    });
  });
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      only: { type: 'string' },
      minutes: { type: 'string' },
      batch: { type: 'string' },
      worker: { type: 'string' },
    },
  });
  const runs = Number(values.runs ?? 10_000);
  const seed = Number(values.seed ?? Date.now() % 2 ** 31);
  if (values.worker) {
    await worker(values.worker, runs, seed);
    return 0;
  }
  if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) {
    console.error('usage: npm run fuzz -- [--runs N] [--seed S] [--only NAME,…] [--minutes M]');
    return 2;
  }
  const chosen = values.only ? values.only.split(',') : fuzzers.map((f) => f.name);
  for (const name of chosen) {
    if (!fuzzers.some((f) => f.name === name)) {
      console.error(`unknown fuzzer '${name}'; the fuzzers are ${fuzzers.map((f) => f.name).join(', ')}`);
      return 2;
    }
  }
  const deadline = values.minutes ? Date.now() + Number(values.minutes) * 60_000 : Infinity;
  const batchSize = Number(values.batch ?? BATCH);
  console.log(`fuzzing ${chosen.join(', ')}: ${runs} cases each, seed ${seed}`);
  let found = 0;
  let total = 0;
  // Findings grouped by what they say (numbers and quoted text left out), one example each.
  const kinds = new Map<string, { count: number; example: string }>();
  for (const name of chosen) {
    const start = Date.now();
    let done = 0;
    let k = 0;
    // A time budget is shared evenly by the fuzzers still to run.
    const share = (deadline - Date.now()) / (chosen.length - chosen.indexOf(name));
    const stop = Date.now() + share;
    while (done < runs && Date.now() < stop) {
      const result = await batch(name, Math.min(batchSize, runs - done), seed + k++);
      done += result.runs;
      if (result.failure) {
        found++;
        const signature = `${name}: ${result.failure.error.replace(/'[^']*'|"[^"]*"|-?\d[\d.e+-]*/g, '…').slice(0, 160)}`;
        const seen = kinds.get(signature);
        if (seen) seen.count++;
        else {
          kinds.set(signature, { count: 1, example: result.failure.counterexample });
          console.log(
            `\n${name}: FOUND (seed ${result.failure.seed}${result.failure.path ? `, path ${result.failure.path}` : ''})\n  ${result.failure.error}\n  case: ${result.failure.counterexample}`,
          );
        }
      }
    }
    total += done;
    console.log(`${name}: ${done} cases in ${((Date.now() - start) / 1000).toFixed(0)} s`);
  }
  console.log(
    `\n${total} cases in all; ${found === 0 ? 'nothing found' : `${found} finding(s) of ${kinds.size} kind(s)`}`,
  );
  for (const [signature, { count }] of kinds) console.log(`  ${count}× ${signature}`);
  return found === 0 ? 0 : 1;
}

process.exitCode = await main();
