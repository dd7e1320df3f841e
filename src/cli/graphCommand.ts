import { toDot } from '../api/graph.ts';
import { LagradError } from '../error.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, OptionSpec } from './command.ts';
import { dotToSvg } from './graphviz.ts';
import { settingsRead } from '../schedule/settings.ts';
import { asFlags, schedulesHelp, settingsFromFlags, settingSpecs } from './settingFlags.ts';
import { loadSource, numberFlag, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

const FORMATS = ['dot', 'svg'];

/** `lagrad graph`: the program drawn with values, multipliers and local partials (DESIGN §10). */
export const graphCommand: Command = {
  name: 'graph',
  summary: 'the program as a graph: values and λ on the nodes, local partials on the edges (DOT or SVG)',
  synopsis: `lagrad graph <source> [options]\n\n${SOURCE_HELP}`,
  get options() {
    return {
      ...POINT_OPTIONS,
      schedule: {
        type: 'string',
        value: 'NAME',
        help: `whose values and multipliers to draw: ${schedules.names().join(' | ')}`,
        default: 'auto',
      },
      format: {
        type: 'string',
        value: 'dot|svg',
        help: "dot (Graphviz's text) or svg (rendered by Graphviz in WebAssembly, the optional package @viz-js/viz)",
        default: 'svg when --out ends in .svg, else dot',
      },
      out: {
        type: 'string',
        value: 'FILE',
        help: 'write to FILE instead of standard output',
        default: 'standard output',
      },
      direction: { type: 'string', value: 'DIR', help: 'TB (inputs on top) | LR | BT | RL', default: 'TB' },
      digits: { type: 'string', value: 'N', help: 'significant digits of the numbers', default: '4' },
      'max-nodes': { type: 'string', value: 'N', help: 'refuse programs with more variables', default: '2000' },
      ...settingSpecs(settingsRead(schedules.list())),
    } satisfies Record<string, OptionSpec>;
  },
  get notes() {
    return `A node is one variable: its name (or primitive), value v and multiplier λ = ∂objective/∂v; inputs
are blue, outputs yellow with a double border, cyclic components dashed clusters. An edge j → i is
labelled with the local partial ∂p_i/∂v_j; edges closing a cycle are dashed.

${schedulesHelp(schedules.list())}`;
  },
  async run(positionals, flags, io) {
    const out = flags.out as string | undefined;
    const format = (
      (flags.format as string | undefined) ?? (out?.toLowerCase().endsWith('.svg') ? 'svg' : 'dot')
    ).toLowerCase();
    if (!FORMATS.includes(format))
      throw new LagradError('--format', `'${String(flags.format)}' is not one of ${FORMATS.join(', ')}`);
    const settings = settingsFromFlags(flags, settingsRead(schedules.list()));
    const program = loadSource(onlySource(positionals), io);
    const dot = asFlags(() =>
      toDot(program, parseAt(flags.at as string[] | undefined), {
        schedule: (flags.schedule as string | undefined) ?? 'auto',
        output: flags.output as string | undefined,
        direction: flags.direction as string | undefined,
        digits: numberFlag('digits', flags.digits as string | undefined),
        maxNodes: numberFlag('max-nodes', flags['max-nodes'] as string | undefined),
        ...settings,
      }),
    );
    const text = format === 'svg' ? await dotToSvg(dot) : dot;
    if (out === undefined) io.out(text);
    else io.writeFile(out, text);
    return 0;
  },
};
