// Optimisation directly on the Lagrange dual, against block-coordinate steps: the `dual` schedule's
// conjugate gradients (CGLS on (I − J)(I − J)ᵀλ = (I − J)w) and steepest descent on
// ½‖(I − J)ᵀλ − w‖², against the `iterative` schedule's Jacobi and Gauss–Seidel sweeps, on five
// programs: a deep chain, a wide random DAG, PageRank, a slowly contracting ring, and a cyclic
// component whose J has spectral radius above 1. Prints iterations, sweeps and the error against
// backprop, and draws the residual curves (vega-lite) to an SVG.
// Run: npx tsx examples/dual.ts [FILE.svg]   (default: lagrad-dual-convergence.svg in the temporary directory)
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderSvg } from '../src/cli/plot.ts';
import { grad, ProgramBuilder, resolveWeights, solvePrimal, type Program } from '../src/index.ts';
import { seed } from '../src/lagrangian/lagrangian.ts';
import { emptyStats } from '../src/lagrangian/stats.ts';
import { Verdict } from '../src/lagrangian/convergence.ts';
import { minimiseDualResidual, type DualMethod } from '../solvers/dual.ts';
import { longestChain } from '../solvers/iterative/jacobi.ts';
import { uniform } from './lib/seeded.ts';

// ── the programs ──────────────────────────────────────────────────────────────────────────────

/** x → sin → sin → … (L steps): depth L + 1, one edge per constraint. */
export function deepChain(steps: number): Program {
  const b = new ProgramBuilder();
  let v = b.input('x', 1);
  for (let k = 0; k < steps; k++) v = b.apply('sin', v);
  return b.output(v).build();
}

/**
 * A wide, shallow random DAG: `nodes` nodes v = sin(a·u + c·z), each over two parents drawn
 * uniformly among all earlier nodes and 20 inputs (depth grows like log nodes), coefficients in
 * (−1, 1); the output sums the last 50 nodes.
 */
export function wideDag(nodes: number, seedValue = 7): Program {
  const u = uniform(seedValue);
  const b = new ProgramBuilder();
  const earlier: number[] = Array.from({ length: 20 }, (_, k) => b.input(`x${k}`, 2 * u() - 1));
  for (let k = 0; k < nodes; k++) {
    const [p, q] = [earlier[Math.floor(u() * earlier.length)], earlier[Math.floor(u() * earlier.length)]];
    const inner = b.apply(
      'add',
      b.apply('scale', p, undefined, 2 * u() - 1),
      b.apply('scale', q, undefined, 2 * u() - 1),
    );
    earlier.push(b.apply('sin', inner));
  }
  return b.output(b.applyMany('sum', earlier.slice(-50))).build();
}

/** PageRank r = d·M r + (1 − d)/n on a random web of n pages (each links to i + 1 and up to 3 others). */
export function pageRank(n: number, damping: number, seedValue = 11): Program {
  const u = uniform(seedValue);
  const links: number[][] = Array.from({ length: n }, (_, i) => {
    const out = new Set([(i + 1) % n]);
    for (let k = Math.floor(u() * 4); k > 0; k--) out.add(Math.floor(u() * n));
    out.delete(i);
    return [...out];
  });
  const b = new ProgramBuilder();
  const d = b.input('d', damping);
  const base = b.apply('scale', b.apply('shift', b.apply('neg', d), undefined, 1), undefined, 1 / n);
  const inbound: number[][] = Array.from({ length: n }, () => []);
  links.forEach((out, j) => out.forEach((i) => inbound[i].push(j)));
  const rank = inbound.map((from) => {
    const flow =
      from.length > 0
        ? b.apply(
            'mul',
            d,
            b.applyMany(
              'sum',
              from.map((j) => b.apply('scale', b.placeholder(j), undefined, 1 / links[j].length)),
            ),
          )
        : b.constant(0);
    return b.apply('add', base, flow);
  });
  b.resolve((j) => rank[j]);
  return b
    .output(
      b.applyMany(
        'sum',
        rank.filter((_, i) => i % 3 === 0),
      ),
    )
    .build();
}

/** u_r = κ/2 (u_{r−1} + u_{r+1}) + x_{r mod 3} on a ring of m: J has spectral radius κ; y = Σ c_r u_r. */
export function ring(members: number, coupling: number): Program {
  const b = new ProgramBuilder();
  const x = Array.from({ length: 3 }, (_, k) => b.input(`x${k}`, 0.3 * (k + 1)));
  const u = Array.from({ length: members }, (_, r) => {
    const neighbours = b.apply('add', b.placeholder((r + members - 1) % members), b.placeholder((r + 1) % members));
    return b.apply('add', b.apply('scale', neighbours, undefined, coupling / 2), x[r % 3]);
  });
  b.resolve((k) => u[k]);
  return b
    .output(
      b.applyMany(
        'sum',
        u.map((ur, r) => b.apply('scale', ur, undefined, 1 + ((r * r) % 13) / 13)),
      ),
    )
    .build();
}

/**
 * A linear cyclic component u_r = ρ u_{r+1} + Σ (two couplings of at most 0.1ρ) + x_{r mod 4} on a
 * ring of m members: J is ρ times a cyclic shift plus a small perturbation, so its spectral radius
 * is about ρ > 1. I − J stays nonsingular, so λ exists, but Jacobi and Gauss–Seidel on the
 * multipliers diverge (as the forward fixed-point iteration does, which Newton replaces). y = Σ u.
 */
export function expanding(members: number, radius: number, seedValue = 5): Program {
  const u = uniform(seedValue);
  const b = new ProgramBuilder();
  const x = Array.from({ length: 4 }, (_, k) => b.input(`x${k}`, 0.5 - 0.25 * k));
  const rows = Array.from({ length: members }, (_, r) => {
    const terms = [b.apply('scale', b.placeholder((r + 1) % members), undefined, radius)];
    for (let k = 0; k < 2; k++)
      terms.push(b.apply('scale', b.placeholder(Math.floor(u() * members)), undefined, 0.2 * radius * (u() - 0.5)));
    terms.push(x[r % 4]);
    return b.applyMany('sum', terms);
  });
  b.resolve((k) => rows[k]);
  return b.output(b.applyMany('sum', rows)).build();
}

// ── the runs ──────────────────────────────────────────────────────────────────────────────────

/** One method on one program: its residual curve and what it cost. */
export interface Run {
  readonly program: string;
  readonly method: string;
  readonly converged: boolean;
  /** Why it stopped, when it did not converge. */
  readonly failure?: string;
  readonly iterations: number;
  readonly sweeps: number;
  readonly partialEvaluations: number;
  readonly residuals: readonly number[];
  /** Largest |λ_i − λ_i(reverse)| / max(1, |λ_i(reverse)|) (NaN when it did not converge). */
  readonly error: number;
}

const relativeMax = (a: Float64Array, b: Float64Array) =>
  a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i]) / Math.max(1, Math.abs(b[i]))), 0);

/** The dual methods, run to the limit without the early verdicts, so a failed run still has its curve. */
function dualRun(
  name: string,
  program: Program,
  method: DualMethod,
  reference: Float64Array,
  maxIterations: number,
): Run {
  const stats = emptyStats();
  const values = new Float64Array(program.size);
  solvePrimal(program, program.defaults, values, stats);
  const w = new Float64Array(program.size);
  seed(program, resolveWeights(program), w);
  const lambda = new Float64Array(program.size);
  const before = { sweeps: stats.sweeps, partials: stats.partialEvaluations };
  const { monitor, verdict } = minimiseDualResidual(
    program,
    values,
    w,
    lambda,
    method,
    { tolerance: 1e-12, maxIterations },
    stats,
    Infinity,
  );
  const converged = verdict === Verdict.Converged;
  return {
    program: name,
    method: `dual ${method}`,
    converged,
    failure: converged ? undefined : monitor.describe('iteration'),
    iterations: monitor.iterations,
    sweeps: stats.sweeps - before.sweeps,
    partialEvaluations: stats.partialEvaluations - before.partials,
    residuals: monitor.residuals,
    error: converged ? relativeMax(lambda, reference) : NaN,
  };
}

/** Jacobi or Gauss–Seidel through the `iterative` schedule; a failure is its one-line error. */
function sweepRun(
  name: string,
  program: Program,
  method: 'jacobi' | 'gauss-seidel',
  reference: Float64Array,
  maxIterations: number,
): Run {
  try {
    const r = grad(program, {}, { schedule: 'iterative', method, maxIterations });
    const record = r.solution.convergence!.at(-1)!;
    return {
      program: name,
      method: method === 'jacobi' ? 'Jacobi' : 'Gauss–Seidel',
      converged: true,
      iterations: record.iterations,
      sweeps: record.iterations,
      partialEvaluations: r.stats.partialEvaluations,
      residuals: record.residuals,
      error: relativeMax(r.lambda, reference),
    };
  } catch (e) {
    const message = (e as Error).message;
    return {
      program: name,
      method: method === 'jacobi' ? 'Jacobi' : 'Gauss–Seidel',
      converged: false,
      failure: message.replace(/^.*?: (Jacobi|Gauss–Seidel) on the multipliers /, ''),
      iterations: NaN,
      sweeps: NaN,
      partialEvaluations: NaN,
      residuals: [],
      error: NaN,
    };
  }
}

/** The study's programs, by name. */
export function studyPrograms(): [string, Program][] {
  return [
    ['deep chain (sin, 300 steps)', deepChain(300)],
    ['wide random DAG (500 nodes)', wideDag(500)],
    ['PageRank (40 pages, d = 0.85)', pageRank(40, 0.85)],
    ['slow ring (40 members, coupling 0.99)', ring(40, 0.99)],
    ['expanding ring (30 members, gain 1.3)', expanding(30, 1.3)],
  ];
}

/** Every method on every program. */
export function dualStudy(
  programs = studyPrograms(),
  maxIterations = 5000,
): { programs: { name: string; size: number; depth: number; cyclic: boolean }[]; runs: Run[] } {
  const runs: Run[] = [];
  for (const [name, program] of programs) {
    const reference = grad(program, {}, { schedule: 'reverse' }).lambda;
    for (const method of ['cg', 'gradient'] as const)
      runs.push(dualRun(name, program, method, reference, maxIterations));
    for (const method of ['jacobi', 'gauss-seidel'] as const)
      runs.push(sweepRun(name, program, method, reference, maxIterations));
  }
  return {
    programs: programs.map(([name, p]) => ({ name, size: p.size, depth: longestChain(p), cyclic: p.cyclic })),
    runs,
  };
}

/** dual cg against the cheaper of Jacobi and Gauss–Seidel on one program, in sweeps. */
export function verdict(runs: readonly Run[]): string {
  const cg = runs.find((r) => r.method === 'dual cg')!;
  const sweeps = runs.filter((r) => !r.method.startsWith('dual') && r.converged).sort((a, b) => a.sweeps - b.sweeps)[0];
  const gradient = runs.find((r) => r.method === 'dual gradient')!;
  const tail = gradient.converged ? `; dual gradient ${gradient.sweeps} sweeps` : '; dual gradient does not converge';
  if (!cg.converged) return `dual cg does not converge${tail}`;
  if (!sweeps) return `only the dual converges (cg: ${cg.sweeps} sweeps; Jacobi and Gauss–Seidel fail)${tail}`;
  const ratio = cg.sweeps / sweeps.sweeps;
  const how =
    ratio < 1
      ? `dual cg wins, ${(1 / ratio).toFixed(1)}× fewer sweeps`
      : `dual cg loses, ${ratio.toFixed(ratio < 10 ? 1 : 0)}× more sweeps`;
  return `${how} (${cg.sweeps} against ${sweeps.method} ${sweeps.sweeps})${tail}`;
}

/** Indices 0 … n − 1 thinned to about `most`, evenly on a log scale, always keeping the last. */
function logSpaced(n: number, most: number): number[] {
  if (n === 0) return [];
  const kept = new Set<number>([n - 1]);
  for (let k = 0; k < most; k++) kept.add(Math.min(n - 1, Math.round(Math.pow(n, k / most)) - 1));
  return [...kept].sort((a, b) => a - b);
}

/**
 * The residual curves, one panel per program (log residual against log iteration), as a vega-lite
 * SVG; a dot marks where each run stopped. Curves are thinned to ~200 log-spaced points.
 */
export function convergenceSvg(runs: readonly Run[]): Promise<string> {
  // Gauss–Seidel on an acyclic program leaves residual exactly 0 after its one sweep: drawn at 1e-17.
  const values = runs.flatMap((run) =>
    logSpaced(run.residuals.length, 200).map((k) => ({
      program: run.program,
      method: run.method,
      iteration: k + 1,
      residual: Math.max(run.residuals[k], 1e-17),
      last: k === run.residuals.length - 1,
    })),
  );
  // Runs that stopped by an error have no curve: their panel says what happened instead.
  const notes = [...new Set(runs.map((r) => r.program))].flatMap((program) => {
    const text = runs
      .filter((r) => r.program === program && r.residuals.length === 0)
      .map((r) => `${r.method} ${r.failure?.split(' (')[0]}`);
    return text.length > 0 ? [{ program, note: text.join('; ') }] : [];
  });
  values.push(...(notes as never[]));
  const x = { field: 'iteration', type: 'quantitative', scale: { type: 'log' }, title: 'iteration (log)' };
  const y = {
    field: 'residual',
    type: 'quantitative',
    scale: { type: 'log', domain: [1e-17, 1e4], clamp: true },
    axis: { format: '.0e' },
    title: 'residual',
  };
  const color = {
    field: 'method',
    type: 'nominal',
    title: 'method',
    scale: { domain: [...new Set(runs.map((r) => r.method))] },
  };
  return renderSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Dual residual against iterations',
      subtitle:
        'dual: ‖(I − J)ᵀλ − w‖₂ (2 sweeps per iteration); Jacobi, Gauss–Seidel: its ∞-norm (1 sweep); • where a run stopped',
    },
    data: { values },
    facet: { field: 'program', type: 'nominal', title: null, sort: [...new Set(runs.map((r) => r.program))] },
    columns: 3,
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 260,
      height: 180,
      layer: [
        { mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
        {
          transform: [{ filter: 'datum.last' }],
          mark: { type: 'point', filled: true, size: 30 },
          encoding: { x, y, color },
        },
        {
          transform: [{ filter: 'datum.note' }],
          mark: { type: 'text', align: 'right', fontSize: 10, color: '#555' },
          encoding: { text: { field: 'note' }, x: { value: 255 }, y: { value: 12 } },
        },
      ],
    },
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2] ?? join(tmpdir(), 'lagrad-dual-convergence.svg');
  const study = dualStudy();
  console.log(
    '(I − J)ᵀλ = w by optimisation on the dual residual (dual cg, dual gradient) and by sweeps (Jacobi, Gauss–Seidel)',
  );
  console.log(
    'tolerance 1e-12 relative, at most 5000 iterations; error = max |λ − λ(reverse)| / max(1, |λ(reverse)|)\n',
  );
  for (const p of study.programs) {
    console.log(`${p.name}: ${p.size} variables, longest chain ${p.depth}${p.cyclic ? ', cyclic' : ''}`);
    for (const r of study.runs.filter((r) => r.program === p.name)) {
      const outcome = r.converged
        ? `${String(r.iterations).padStart(5)} iterations ${String(r.sweeps).padStart(6)} sweeps  error ${r.error.toExponential(1)}`
        : `did not converge: ${r.failure}`;
      console.log(`  ${r.method.padEnd(14)}${outcome}`);
    }
  }
  console.log('\nwhere the dual wins and loses (cost in sweeps, each a pass over the program):');
  for (const p of study.programs)
    console.log(`  ${p.name}: ${verdict(study.runs.filter((r) => r.program === p.name))}`);
  writeFileSync(file, await convergenceSvg(study.runs));
  console.log(`\ncurves: ${file}`);
}
