import { plain, valueIn } from '../api/blocks.ts';
import { evaluateAll } from '../api/evaluate.ts';
import { resolveWeights } from '../api/point.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS } from '../lagrangian/primal.ts';
import type { Program } from '../program/program.ts';
import type { Command } from './command.ts';
import { DATA_OPTION, loadData, pointFrom, startsFrom } from './data.ts';
import { json, table, valueRow } from './format.ts';
import { asFlags, settingsFromFlags, settingSpecs } from './settingFlags.ts';
import { loadSource, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a program (solve its constraints forward)',
  synopsis: `lagrad eval <source> [options]\n\n${SOURCE_HELP}`,
  notes: 'The settings matter only for cyclic programs, whose components are solved by iteration.',
  options: {
    ...POINT_OPTIONS,
    ...DATA_OPTION,
    values: { type: 'boolean', help: "also print every named variable's value" },
    json: {
      type: 'boolean',
      help: 'print {"value": …[, "values": {…}]} as JSON (vectors and matrices as nested lists, row-major)',
    },
    ...settingSpecs(PRIMAL_SETTINGS),
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, PRIMAL_SETTINGS);
    const data = loadData(flags.data as string | undefined, io);
    const program = startsFrom(loadSource(onlySource(positionals), io, data?.shapes), data);
    const point = pointFrom(program, data, parseAt(flags.at as string[] | undefined));
    const values = asFlags(() => evaluateAll(program, point, settings));
    const output = flags.output as string | undefined;
    const block = blockOutput(program, output);
    const value =
      block >= 0
        ? valueIn(program, values, block)
        : objective(
            program,
            asFlags(() => resolveWeights(program, output)),
            values,
          );
    const named = [...program.names]
      .sort((a, b) => a[1] - b[1])
      .map(([name, i]) => [name, valueIn(program, values, i)] as const);
    if (flags.json) {
      io.out(
        json(
          flags.values
            ? { value: plain(value), values: Object.fromEntries(named.map(([name, v]) => [name, plain(v)])) }
            : { value: plain(value) },
        ) + '\n',
      );
    } else {
      io.out(
        typeof value === 'number' ? `${value}\n` : table([valueRow(output ?? program.label(block), value)]) + '\n',
      );
      if (flags.values)
        io.out(
          table(
            named.map(([name, v]) => valueRow(name, v)),
            '  ',
          ) + '\n',
        );
    }
    return 0;
  },
};

/** The output to print as a block (a vector or matrix output, chosen or the only one), or −1. */
function blockOutput(program: Program, output: string | undefined): number {
  const outputs = program.outputs;
  const k = output === undefined ? (outputs.length === 1 ? 0 : -1) : outputs.indexOf(program.names.get(output) ?? -1);
  return k >= 0 && program.shape(outputs[k]).length > 0 ? outputs[k] : -1;
}
