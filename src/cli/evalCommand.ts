import { plain, valueIn } from '../api/blocks.ts';
import { evaluateAll } from '../api/evaluate.ts';
import { resolveWeights } from '../api/point.ts';
import { objective } from '../lagrangian/lagrangian.ts';
import type { Command } from './command.ts';
import { loadData, pointFrom } from './data.ts';
import { json, table, valueRow } from './format.ts';
import { loadSource, parseAt } from './source.ts';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a program (solve its constraints forward)',
  usage: `lagrad eval <source> [--at x=2,y=-1] [--data FILE.json] [--output NAME] [--values] [--json]

  <source>     a .lag file, - for standard input, or an expression
  --at         input values (override the file's defaults)
  --data       a JSON file of input values (vectors as lists, matrices as lists of rows)
  --output     which output, when there are several
  --values     also print every named variable's value
  --json       print {"value": …, "values": {…}} as JSON (blocks as nested lists, row-major)`,
  options: {
    at: { type: 'string', multiple: true },
    data: { type: 'string' },
    output: { type: 'string' },
    values: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run([source], flags, io) {
    const data = loadData(flags.data as string | undefined, io);
    const program = loadSource(source, io, data?.shapes);
    const values = evaluateAll(program, pointFrom(program, data, parseAt(flags.at as string[] | undefined)));
    const value = outputValue(program, values, flags.output as string | undefined);
    const named = [...program.names].sort((a, b) => a[1] - b[1]).map(([name, i]) => [name, valueIn(program, values, i)] as const);
    if (flags.json) {
      const result = { value: plain(value), ...(flags.values && { values: Object.fromEntries(named.map(([name, v]) => [name, plain(v)])) }) };
      io.out(json(result) + '\n');
    } else {
      io.out(typeof value === 'number' ? `${value}\n` : table([valueRow(outputName(program, flags.output as string | undefined), value)]) + '\n');
      if (flags.values) io.out(table(named.map(([name, v]) => valueRow(name, v)), '  ') + '\n');
    }
    return 0;
  },
};

/** The output's value: the objective for a scalar output, the block itself for a vector or matrix output. */
function outputValue(program: Parameters<typeof valueIn>[0], values: Float64Array, output: string | undefined) {
  const outputs = program.outputs;
  const k = output === undefined ? 0 : outputs.indexOf(program.names.get(output) ?? -1);
  if (k >= 0 && (output !== undefined || outputs.length === 1) && program.shape(outputs[k]).length > 0) return valueIn(program, values, outputs[k]);
  return objective(program, resolveWeights(program, output), values);
}

function outputName(program: Parameters<typeof valueIn>[0], output: string | undefined): string {
  return output ?? program.nameOf(program.outputs[0]) ?? 'output';
}
