import { evaluateAll } from '../api/evaluate.ts';
import { resolveWeights } from '../api/point.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS } from '../lagrangian/primal.ts';
import type { Command } from './command.ts';
import { json, table } from './format.ts';
import { asFlags, settingsFromFlags, settingSpecs } from './settingFlags.ts';
import { loadSource, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a program (solve its constraints forward)',
  synopsis: `lagrad eval <source> [options]\n\n${SOURCE_HELP}`,
  notes: 'The settings matter only for cyclic programs, whose components are solved by iteration.',
  options: {
    ...POINT_OPTIONS,
    values: { type: 'boolean', help: "also print every named variable's value" },
    json: { type: 'boolean', help: 'print {"value": …[, "values": {…}]} as JSON' },
    ...settingSpecs(PRIMAL_SETTINGS),
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
