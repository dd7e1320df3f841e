// The lecture's fully connected graph: node k depends on every earlier node,
//   u_1 = x,   u_k = tanh(u_1 + … + u_{k−1})   (k = 2 … n),   objective u_n.
// Between the first node and the last there are 2^(n−2) paths of influence (one per subset of the
// nodes in between), so the naive chain rule — a product of local partials per path, summed — takes
// exponential time, while reverse (a linear dynamic program over the same partials) takes O(N + E).
// For n = 4 … 24 this prints both, side by side, until path enumeration is refused.
// Run: npx tsx examples/fully-connected.ts [maxPaths]     (default limit 1e6 paths)
import { pathToFileURL } from 'node:url';
import { grad, LagradError, ProgramBuilder, type Program } from '../src/index.ts';

/** The fully connected program on n nodes, with `sum` gathering all earlier nodes. */
export function fullyConnected(n: number): Program {
  const b = new ProgramBuilder();
  const nodes = [b.input('x', 0.3)];
  for (let k = 2; k <= n; k++) nodes.push(b.apply('tanh', b.applyMany('sum', nodes)));
  b.name(nodes[n - 1], 'u');
  return b.output(nodes[n - 1]).build();
}

/** The fastest of `repeat` runs (the first run of a schedule also pays for JIT compilation). */
export function best(program: Program, schedule: string, repeat: number, maxPaths: number) {
  const options = schedule === 'paths' ? { schedule, maxPaths } : { schedule }; // maxPaths is paths' setting alone
  let result = grad(program, { x: 0.3 }, options);
  for (let r = 1; r < repeat; r++) {
    const again = grad(program, { x: 0.3 }, options);
    if (again.stats.timeMs < result.stats.timeMs) result = again;
  }
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const maxPaths = Number(process.argv[2] ?? 1e6);
  console.log('Fully connected graph: u_k = tanh(u_1 + … + u_{k−1}), gradient of u_n with respect to x = u_1');
  console.log(
    `paths: sum over all 2^(n−2) paths of the product of partials; reverse: back-substitution. Limit ${maxPaths} paths.\n`,
  );
  const header = [
    'n',
    'variables',
    'edges',
    'paths',
    'paths ms',
    'reverse ms',
    'paths / reverse',
    'relative Δ gradient',
  ];
  const widths = [3, 10, 7, 10, 11, 11, 16, 20];
  const row = (cells: (string | number)[]) => cells.map((c, k) => String(c).padStart(widths[k])).join(' ');
  console.log(row(header));
  for (let n = 4; n <= 24; n++) {
    const program = fullyConnected(n);
    const reverse = best(program, 'reverse', 5, maxPaths);
    let paths;
    try {
      paths = best(program, 'paths', 2 ** (n - 2) > 1e5 ? 1 : 3, maxPaths);
    } catch (e) {
      if (!(e instanceof LagradError)) throw e;
      console.log(`\nn = ${n}: ${e.message}`);
      console.log(`(reverse at n = ${n}: ${reverse.stats.timeMs.toFixed(4)} ms, ∂u/∂x = ${reverse.gradient.x})`);
      break;
    }
    const g = reverse.gradient.x as number;
    const difference = Math.abs((paths.gradient.x as number) - g) / Math.max(Math.abs(g), Number.MIN_VALUE);
    console.log(
      row([
        n,
        program.size,
        program.parents.length,
        paths.stats.paths,
        paths.stats.timeMs.toFixed(3),
        reverse.stats.timeMs.toFixed(4),
        (paths.stats.timeMs / reverse.stats.timeMs).toFixed(0),
        difference.toExponential(1),
      ]),
    );
  }
}
