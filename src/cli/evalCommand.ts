import { evaluateAll } from '../api/evaluate.ts';
import { resolveWeights } from '../api/point.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS } from '../lagrangian/primal.ts';
import type { Command } from './command.ts';
import { json, table } from './format.ts';
import { asFlags, settingOptions, settingsFromFlags, settingsList } from './settingFlags.ts';
import { loadSource, onlySource, parseAt } from './source.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a program (solve its constraints forward)',
  usage: `lagrad eval <source> [--at x=2,y=-1] [--output NAME] [--values] [--json] [settings]

  <source>     a .lag file, - for standard input, or an expression
  --at         input values (override the file's defaults)
  --output     which output, when there are several
  --values     also print every named variable's value
  --json       print {"value": …, "values": {…}} as JSON

${settingsList(PRIMAL_SETTINGS, 'settings (cyclic programs):')}`,
  options: {
    at: { type: 'string', multiple: true },
    output: { type: 'string' },
    values: { type: 'boolean' },
    json: { type: 'boolean' },
    ...settingOptions(PRIMAL_SETTINGS),
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, PRIMAL_SETTINGS);
    const program = loadSource(onlySource(positionals), io);
    const values = asFlags(() => evaluateAll(program, parseAt(flags.at as string[] | undefined), settings));
    const value = objective(program, asFlags(() => resolveWeights(program, flags.output as string | undefined)), values);
    const named = [...program.names].sort((a, b) => a[1] - b[1]).map(([name, i]) => [name, values[i]] as const);
    if (flags.json) {
      io.out(json(flags.values ? { value, values: Object.fromEntries(named) } : { value }) + '\n');
    } else {
      io.out(`${value}\n`);
      if (flags.values) io.out(table(named.map(([name, v]) => [name, v]), '  ') + '\n');
    }
    return 0;
  },
};
