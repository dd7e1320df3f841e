import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compact } from '../src/api/graph.ts';
import { dotToSvg } from '../src/cli/graphviz.ts';
import { LagradError, parseProgram, toDot } from '../src/index.ts';
import { lagrad } from './helpers/cli.ts';

// `lagrad graph` and `toDot` (DESIGN §10): one node per variable with its value and multiplier, one
// edge per parent entry with its local partial; SVG through Graphviz in WebAssembly.

const lectureText = readFileSync(new URL('../examples/lecture.lag', import.meta.url), 'utf8');
const lecture = parseProgram(lectureText, { file: 'lecture.lag' });
const pagerankText = readFileSync(new URL('../examples/pagerank.lag', import.meta.url), 'utf8');
/** A 50-variable program: a 3 → 4 (tanh) → 2 network and a log-sum-exp loss. */
const networkText = readFileSync(new URL('../examples/network.lag', import.meta.url), 'utf8');

/** Node statements `vI [label=<…>…]` by variable index, and edges `vJ -> vI [label="…"…]`. */
function parseDot(dot: string) {
  const nodes = new Map(
    [...dot.matchAll(/^\s*v(\d+) \[label=<(.*)>, (.*)\];$/gm)].map((m) => [Number(m[1]), { label: m[2], style: m[3] }]),
  );
  const edges = [...dot.matchAll(/^\s*v(\d+) -> v(\d+) \[label="([^"]*)"(.*)\];$/gm)].map((m) => ({
    from: Number(m[1]),
    to: Number(m[2]),
    label: m[3],
    style: m[4],
  }));
  return { nodes, edges };
}

describe('toDot', () => {
  it('the lecture example: a node per variable with name, value and λ; an edge per parent with its partial', () => {
    const dot = toDot(lecture);
    const { nodes, edges } = parseDot(dot);
    expect(dot.startsWith('digraph lagrad {')).toBe(true);
    expect(nodes.size).toBe(lecture.size);
    expect(edges).toHaveLength(lecture.parents.length);
    const node = (name: string) => nodes.get(lecture.indexOf(name))!;
    // Values and multipliers to 4 digits: λ_x = 4 cos 3, λ_y = cos 3, λ_z = 1 − cos 3, f = sin 3.
    expect(node('x').label).toContain('<B>x</B><BR/>v = 2<BR/>');
    expect(node('x').label).toContain('λ = -3.96<');
    expect(node('y').label).toContain('λ = -0.99<');
    expect(node('z').label).toContain('λ = 1.99<');
    expect(node('e').label).toMatch(/^<B>e<\/B> {2}sin<BR\/>v = 0\.1411<BR\/>.*λ = 1</);
    expect(node('c').label).toMatch(/^<B>c<\/B> {2}×</);
    // Inputs blue, the output yellow and double-bordered.
    for (const name of ['x', 'y', 'z']) expect(node(name).style).toContain('fillcolor="#dbeafe"');
    expect(node('g').style).toContain('peripheries=2');
    // Edge labels are the local partials: ∂a/∂x = 2x = 4, ∂e/∂d = cos 3, ∂c/∂b = y = −1.
    const edge = (from: string, to: string) =>
      edges.find((e) => e.from === lecture.indexOf(from) && e.to === lecture.indexOf(to))!;
    expect(edge('x', 'a').label).toBe('4');
    expect(edge('d', 'e').label).toBe('-0.99');
    expect(edge('b', 'c').label).toBe('-1');
    // The widest edge carries the most adjoint: x → a carries λ_a·2x = 4 cos 3.
    const width = (e: { style: string }) => Number(/penwidth=([\d.]+)/.exec(e.style)![1]);
    expect(width(edge('x', 'a'))).toBe(Math.max(...edges.map(width)));
  });

  it('a 50-variable program: 50 nodes, one edge per parent entry, every label with v and λ', () => {
    const program = parseProgram(networkText);
    expect(program.size).toBe(50);
    const { nodes, edges } = parseDot(toDot(program));
    expect(nodes.size).toBe(50);
    expect(edges).toHaveLength(program.parents.length);
    for (const { label } of nodes.values())
      expect(label).toMatch(/v = \S+<BR\/><FONT COLOR="#9f1239">λ = \S+<\/FONT>$/);
    for (const { label } of edges) expect(label).toMatch(/^-?\d/);
  });

  it('renders the 50-variable program to SVG: 50 nodes, an edge per parent entry', async () => {
    const r = await lagrad(['graph', 'network.lag', '--format', 'svg'], { 'network.lag': networkText });
    expect(r.status).toBe(0);
    expect(r.out.match(/class="node"/g)).toHaveLength(50);
    expect(r.out.match(/class="edge"/g)).toHaveLength(parseProgram(networkText).parents.length);
  });

  it('clusters each cyclic component and dashes the edges that close a cycle', () => {
    const program = parseProgram(pagerankText);
    const dot = toDot(program);
    expect(dot).toMatch(/subgraph cluster_0 \{\n {4}label="cyclic component \{rA, rB, rC \(\+\d+ unnamed\)\}"/);
    const [start, end] = [program.cycles[0], program.cycles[1]];
    const inside = dot.slice(dot.indexOf('subgraph cluster_0'), dot.indexOf('  }\n'));
    for (let i = start; i < end; i++) expect(inside).toContain(`    v${i} [label=`);
    const back = parseDot(dot).edges.filter((e) => e.style.includes('dashed'));
    expect(back.length).toBeGreaterThan(0);
    for (const e of back) expect(e.from).toBeGreaterThanOrEqual(e.to);
  });

  it('reads the values and multipliers of the schedule it is given, and refuses one without multipliers', () => {
    const dual = toDot(lecture, {}, { schedule: 'dual' });
    expect(dual).toContain('schedule dual');
    expect(parseDot(dual).nodes.get(lecture.indexOf('x'))!.label).toContain('λ = -3.96<');
    expect(() => toDot(lecture, {}, { schedule: 'fd' })).toThrow(/^schedule 'fd': gives only the gradient/);
    expect(() => toDot(lecture, {}, { direction: 'up' })).toThrow("direction: must be one of TB, LR, BT, RL, got 'up'");
    expect(() => toDot(lecture, {}, { maxNodes: 5 })).toThrow(
      /^maxNodes: the program has 9 variables, more than 5 a drawing can show/,
    );
  });

  it('formats numbers compactly', () => {
    expect(
      [0.1411200080598672, -3.9599699864017817, 4, 0, 1.23456e-7, 123456, -0.00099, 99999.4].map((x) => compact(x)),
    ).toEqual(['0.1411', '-3.96', '4', '0', '1.235e-7', '1.235e5', '-9.9e-4', '1e5']);
    expect(compact(Math.PI, 2)).toBe('3.1');
  });
});

describe('lagrad graph', () => {
  it('prints DOT by default and writes SVG to --out FILE.svg, rendered by Graphviz', async () => {
    const dot = await lagrad(['graph', 'lecture.lag'], { 'lecture.lag': lectureText });
    expect(dot.status).toBe(0);
    expect(dot.out).toBe(toDot(lecture));
    const across = await lagrad(
      ['graph', 'lecture.lag', '--direction', 'LR', '--digits', '6', '--schedule', 'dual', '--method', 'cg'],
      { 'lecture.lag': lectureText },
    );
    expect(across.err).toBe('');
    expect(across.out).toContain('rankdir=LR');
    expect(across.out).toContain('λ = -3.95997<');
    const r = await lagrad(['graph', 'lecture.lag', '--out', 'lecture.svg'], { 'lecture.lag': lectureText });
    expect(r.status).toBe(0);
    expect(r.out).toBe('');
    const svg = r.written['lecture.svg'];
    expect(svg).toMatch(/<svg[^>]*width="\d+pt" height="\d+pt"/);
    expect(svg.match(/<g id="node\d+" class="node">/g)).toHaveLength(9);
    expect(svg.match(/<g id="edge\d+" class="edge">/g)).toHaveLength(9);
    for (const text of ['>x<', '>λ = &#45;3.96<', '>v = 0.1411<', '>&#45;0.99<']) expect(svg).toContain(text);
  });

  it('--format svg on standard output; an unknown format is one line', async () => {
    const r = await lagrad(['graph', 'x * sin(x)', '--at', 'x=1', '--format', 'svg']);
    expect(r.status).toBe(0);
    expect(r.out).toContain('</svg>');
    const bad = await lagrad(['graph', 'x * sin(x)', '--at', 'x=1', '--format', 'png']);
    expect(bad.status).toBe(2); // a usage error: an option's value outside its set
    expect(bad.err).toBe("lagrad: --format: 'png' is not one of dot, svg\n");
    const big = await lagrad(['graph', 'lecture.lag', '--max-nodes', '5'], { 'lecture.lag': lectureText });
    expect(big.err).toBe(
      'lagrad: --max-nodes: the program has 9 variables, more than 5 a drawing can show; draw a smaller program or raise the limit\n',
    );
  });

  it('is listed by lagrad --help', async () => {
    expect((await lagrad(['--help'])).out).toMatch(/\n {2}graph +the program as a graph/);
    expect((await lagrad(['graph', '--help'])).out).toMatch(
      /\n {2}--format dot\|svg +dot \(Graphviz's text\) or svg .*\(default svg when --out ends in \.svg, else dot\)\n/,
    );
  });

  it('without @viz-js/viz, SVG is one line saying how to get it', async () => {
    const missing = () =>
      Promise.reject(Object.assign(new Error("Cannot find package '@viz-js/viz'"), { code: 'ERR_MODULE_NOT_FOUND' }));
    const error = await dotToSvg('digraph { a -> b }', missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LagradError);
    expect((error as Error).message).toBe(
      '--format svg: needs the optional package @viz-js/viz (npm install @viz-js/viz); --format dot prints the DOT text for any Graphviz',
    );
  });
});
