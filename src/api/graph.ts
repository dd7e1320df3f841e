import { LagradError, OptionError } from '../error.ts';
import { localPartials } from '../lagrangian/kkt.ts';
import { cycleMembers } from '../program/acyclic.ts';
import type { Program } from '../program/program.ts';
import { grad, type GradOptions } from './grad.ts';
import type { Point } from './point.ts';

// The program as a Graphviz DOT graph: one node per variable (its name or primitive, value v and
// multiplier λ), one edge per parent entry j → i labelled with the local partial ∂p_i/∂v_j. Inputs,
// outputs and constants are told apart by style, and each cyclic component is drawn as a cluster.
// Text only: rendering to SVG is the CLI's business (src/cli/graphviz.ts).

export interface GraphOptions extends GradOptions {
  /** Layout direction: TB (inputs on top, default), LR, BT or RL. */
  readonly direction?: string;
  /** Significant digits of the numbers on the graph (default 4). */
  readonly digits?: number;
  /** Refuse programs with more variables than this (default 2000): a drawing of more is unreadable. */
  readonly maxNodes?: number;
}

const DIRECTIONS = ['TB', 'LR', 'BT', 'RL'];
const DEFAULT_MAX_NODES = 2000;
const FONT = 'Courier';

// Operators drawn as their symbol; every other primitive by its name.
const SYMBOLS: Readonly<Record<string, string>> = {
  add: '+',
  sub: '−',
  mul: '×',
  div: '÷',
  neg: '−a',
  sum: 'Σ',
  scale: '×',
  shift: '+',
  powc: '^',
  id: '=',
};

const COLORS = {
  input: '#dbeafe',
  output: '#fde68a',
  constant: '#f3f4f6',
  variable: '#ffffff',
  lambda: '#9f1239',
  edge: '#6b7280',
  cluster: '#7c3aed',
};

/**
 * The DOT text of the program at a point, with the values and multipliers of a schedule
 * (`options.schedule`, default auto) and the local partials J at those values:
 *
 *   toDot(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 })   // 'digraph lagrad { … }'
 *
 * Node i: its name (or primitive, with θ), v_i and λ_i = ∂objective/∂v_i. Edge j → i: J_ij.
 * Numbers are rounded to `digits` significant digits. Render with Graphviz (`dot -Tsvg`) or
 * `lagrad graph --format svg`.
 */
export function toDot(program: Program, at?: Point, options: GraphOptions = {}): string {
  const direction = (options.direction ?? 'TB').toUpperCase();
  if (!DIRECTIONS.includes(direction))
    throw new OptionError('direction', `must be one of ${DIRECTIONS.join(', ')}, got '${options.direction}'`);
  const digits = options.digits ?? 4;
  if (!(Number.isInteger(digits) && digits >= 1 && digits <= 17))
    throw new OptionError('digits', `must be an integer from 1 to 17, got ${String(options.digits)}`);
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  if (!(Number.isInteger(maxNodes) && maxNodes >= 1))
    throw new OptionError('maxNodes', `must be an integer ≥ 1, got ${String(options.maxNodes)}`);
  if (program.size > maxNodes)
    throw new OptionError(
      'maxNodes',
      `the program has ${program.size} variables, more than ${maxNodes} a drawing can show; draw a smaller program or raise the limit`,
    );
  if (program.layout !== null)
    throw new LagradError(
      'graph',
      'draws one number per variable; this program has vector or matrix variables, which it does not draw yet',
    );
  const { direction: _direction, digits: _digits, maxNodes: _maxNodes, ...solveOptions } = options;
  const r = grad(program, at, { ...solveOptions, multipliers: true });
  const lambda = r.solution.lambda;
  if (lambda === null)
    throw new LagradError(
      `schedule '${r.schedule}'`,
      'gives only the gradient, not the multiplier of every variable; choose another schedule',
    );
  const values = r.values;
  const J = localPartials(program, values);
  const number = (x: number) => compact(x, digits);
  const outputs = new Set(program.outputs);
  const lines = [
    'digraph lagrad {',
    // Monospace throughout: Graphviz sizes boxes from its own font metrics, and a monospace font's
    // widths hold in whatever font the viewer substitutes, so labels never overflow their boxes.
    `  graph [rankdir=${direction}, fontname="${FONT}", fontsize=11, nodesep=0.3, ranksep=0.4, labelloc=t, label=${quote(`objective ${number(r.value)} · schedule ${r.schedule}\nnode: value v, multiplier λ · edge: ∂p_i/∂v_j, width ∝ |λ_i ∂p_i/∂v_j|`)}];`,
    `  node [shape=box, style="rounded,filled", fontname="${FONT}", fontsize=10, margin="0.1,0.05", height=0.3, penwidth=0.8];`,
    `  edge [fontname="${FONT}", fontsize=9, fontcolor="#374151", color="${COLORS.edge}", arrowsize=0.6, penwidth=0.8];`,
  ];
  const node = (i: number, indent: string) => {
    const c = program.constraint(i);
    const kind = c.op === 'input' ? 'input' : outputs.has(i) ? 'output' : c.op === 'const' ? 'constant' : 'variable';
    const head =
      c.op === 'input'
        ? bold(c.name ?? `x${i}`)
        : c.op === 'const'
          ? 'const'
          : [c.name === undefined ? '' : bold(c.name), escape(operator(c.op, c.constant, number))]
              .filter(Boolean)
              .join('  ');
    const label = `<${head}<BR/>v = ${escape(number(values[i]))}<BR/><FONT COLOR="${COLORS.lambda}">λ = ${escape(number(lambda[i]))}</FONT>>`;
    const style = outputs.has(i)
      ? ', peripheries=2'
      : kind === 'constant'
        ? ', fontcolor="#4b5563", color="#9ca3af"'
        : '';
    return `${indent}v${i} [label=${label}, fillcolor="${COLORS[kind]}"${style}];`;
  };
  // Nodes: inputs on one rank, each cyclic component in its own cluster, the rest in order.
  const { cycles, inputCount, size } = program;
  lines.push(`  { rank=source; ${Array.from({ length: inputCount }, (_, i) => `v${i};`).join(' ')} }`);
  let next = 0;
  for (let k = 0; k <= cycles.length; k += 2) {
    const start = k < cycles.length ? cycles[k] : size;
    for (let i = next; i < start; i++) lines.push(node(i, '  '));
    if (k === cycles.length) break;
    lines.push(
      `  subgraph cluster_${k / 2} {`,
      `    label=${quote(`cyclic component {${cycleMembers(program, k / 2)}}`)}; fontsize=10; fontcolor="${COLORS.cluster}"; style="dashed,rounded"; color="${COLORS.cluster}";`,
    );
    for (let i = start; i < cycles[k + 1]; i++) lines.push(node(i, '    '));
    lines.push('  }');
    next = cycles[k + 1];
  }
  // Edges: parent → child, the partial on the edge; edges closing a cycle drawn dashed. An edge's
  // width grows with λ_i J_ij, what it carries into λ_j, so the gradient's main paths stand out.
  const { parentStart, parents } = program;
  let most = 0;
  for (let i = inputCount; i < size; i++)
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) most = Math.max(most, Math.abs(lambda[i] * J[e]));
  for (let i = inputCount; i < size; i++) {
    for (let e = parentStart[i]; e < parentStart[i + 1]; e++) {
      const j = parents[e];
      const width = most > 0 ? 0.6 + 2.4 * (Math.abs(lambda[i] * J[e]) / most) : 0.8;
      lines.push(
        `  v${j} -> v${i} [label=${quote(number(J[e]))}, penwidth=${width.toFixed(2)}${j >= i ? ', style=dashed, constraint=false' : ''}];`,
      );
    }
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** The primitive as drawn: `+`, `sin`, `× 0.5` (θ after the symbol of primitives that carry one). */
function operator(op: string, constant: number | undefined, number: (x: number) => string): string {
  const symbol = SYMBOLS[op] ?? op;
  return constant === undefined ? symbol : `${symbol} ${number(constant)}`;
}

/**
 * x in at most `digits` significant digits, without trailing zeros: 0.1411, -3.96, 4, 1.2e-7.
 * Exponent form below 1e-3 and from 1e5 on, so a label stays short.
 */
export function compact(x: number, digits = 4): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const rounded = Number(x.toPrecision(digits));
  const a = Math.abs(rounded);
  if (a >= 1e-3 && a < 1e5) return String(rounded);
  const [mantissa, exponent] = rounded.toExponential(digits - 1).split('e');
  return `${String(Number(mantissa))}e${exponent.replace('+', '')}`;
}

/** A DOT string literal; a line break becomes DOT's centred `\n`. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Text inside an HTML-like label. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const bold = (name: string) => `<B>${escape(name)}</B>`;
