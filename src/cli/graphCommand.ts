import { toDot } from '../api/graph.ts';
import { LagradError } from '../error.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command } from './command.ts';
import { dotToSvg } from './graphviz.ts';
import { settingsRead } from '../schedule/settings.ts';
import { asFlags, settingOptions, settingsFromFlags, settingsList } from './settingFlags.ts';
import { loadSource, numberFlag, onlySource, parseAt } from './source.ts';

const FORMATS = ['dot', 'svg'];

/** `lagrad graph`: the program drawn with values, multipliers and local partials (DESIGN §10). */
export const graphCommand: Command = {
  name: 'graph',
  summary: 'the program as a graph: values and λ on the nodes, local partials on the edges (DOT or SVG)',
  get usage() {
    return `lagrad graph <source> [--at x=2,y=-1] [--schedule NAME] [--format dot|svg] [--out FILE]

  <source>       a .lag file, - for standard input, or an expression
  --at           input values (override the file's defaults)
  --schedule     whose values and multipliers to draw: ${schedules.names().join(' | ')} (default auto)
  --output       which output, when there are several
  --format       dot (default; Graphviz's text) or svg (rendered by Graphviz in WebAssembly,
                 the optional package @viz-js/viz); --out FILE.svg implies svg
  --out FILE     write to FILE instead of standard output
  --direction    TB (inputs on top, default) | LR | BT | RL
  --digits N     significant digits of the numbers (default 4)
  --max-nodes N  refuse programs with more variables (default 2000)

A node is one variable: its name (or primitive), value v and multiplier λ = ∂objective/∂v; inputs
are blue, outputs yellow with a double border, cyclic components dashed clusters. An edge j → i is
labelled with the local partial ∂p_i/∂v_j; edges closing a cycle are dashed.

${settingsList(settingsRead(schedules.list()), 'schedule settings (lagrad grad --help says which schedule reads which):')}`;
  },
  get options() {
    return {
      at: { type: 'string', multiple: true },
      schedule: { type: 'string' },
      output: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      direction: { type: 'string' },
      digits: { type: 'string' },
      'max-nodes': { type: 'string' },
      ...settingOptions(settingsRead(schedules.list())),
    } as const;
  },
  async run(positionals, flags, io) {
    const out = flags.out as string | undefined;
    const format = ((flags.format as string | undefined) ?? (out?.toLowerCase().endsWith('.svg') ? 'svg' : 'dot')).toLowerCase();
    if (!FORMATS.includes(format)) throw new LagradError('--format', `'${String(flags.format)}' is not one of ${FORMATS.join(', ')}`);
    const settings = settingsFromFlags(flags, settingsRead(schedules.list()));
    const program = loadSource(onlySource(positionals), io);
    const dot = asFlags(() => toDot(program, parseAt(flags.at as string[] | undefined), {
      schedule: (flags.schedule as string | undefined) ?? 'auto',
      output: flags.output as string | undefined,
      direction: flags.direction as string | undefined,
      digits: numberFlag('digits', flags.digits as string | undefined),
      maxNodes: numberFlag('max-nodes', flags['max-nodes'] as string | undefined),
      ...settings,
    }));
    const text = format === 'svg' ? await dotToSvg(dot) : dot;
    if (out === undefined) io.out(text);
    else io.writeFile(out, text);
    return 0;
  },
};
