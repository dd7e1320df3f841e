import { plain, valueIn } from '../api/blocks.ts';
import { evaluateAll } from '../api/evaluate.ts';
import { resolveWeights } from '../api/point.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import { PRIMAL_SETTINGS } from '../lagrangian/primal.ts';
import type { Program } from '../program/program.ts';
import type { Command } from './command.ts';
import { loadData, pointFrom } from './data.ts';
import { json, table, valueRow } from './format.ts';
import { asFlags, settingOptions, settingsFromFlags, settingsList } from './settingFlags.ts';
import { loadSource, onlySource, parseAt } from './source.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a program (solve its constraints forward)',
  usage: `lagrad eval <source> [--at x=2,y=-1] [--data FILE.json] [--output NAME] [--values] [--json] [settings]

  <source>     a .lag file, - for standard input, or an expression
  --at         input values (override the file's defaults)
  --data       a JSON file of input values (vectors as lists, matrices as lists of rows)
  --output     which output, when there are several (a vector or matrix output prints as a block)
  --values     also print every named variable's value
  --json       print {"value": …, "values": {…}} as JSON (blocks as nested lists, row-major)

${settingsList(PRIMAL_SETTINGS, 'settings (cyclic programs):')}`,
  options: {
    at: { type: 'string', multiple: true },
    data: { type: 'string' },
    output: { type: 'string' },
    values: { type: 'boolean' },
    json: { type: 'boolean' },
    ...settingOptions(PRIMAL_SETTINGS),
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, PRIMAL_SETTINGS);
    const data = loadData(flags.data as string | undefined, io);
    const program = loadSource(onlySource(positionals), io, data?.shapes);
    const values = asFlags(() => evaluateAll(program, pointFrom(program, data, parseAt(flags.at as string[] | undefined)), settings));
    const output = flags.output as string | undefined;
    const block = blockOutput(program, output);
    const value = block >= 0 ? valueIn(program, values, block) : objective(program, asFlags(() => resolveWeights(program, output)), values);
    const named = [...program.names].sort((a, b) => a[1] - b[1]).map(([name, i]) => [name, valueIn(program, values, i)] as const);
    if (flags.json) {
      io.out(json(flags.values ? { value: plain(value), values: Object.fromEntries(named.map(([name, v]) => [name, plain(v)])) } : { value: plain(value) }) + '\n');
    } else {
      io.out(typeof value === 'number' ? `${value}\n` : table([valueRow(output ?? program.label(block), value)]) + '\n');
      if (flags.values) io.out(table(named.map(([name, v]) => valueRow(name, v)), '  ') + '\n');
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
