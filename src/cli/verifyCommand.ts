import { verify, VERIFY_SCHEDULES, type Check, type VerifyReport } from '../api/verify.ts';
import { formatNumber } from '../numberFormat.ts';
import type { Program } from '../program/program.ts';
import { slotLabel } from '../program/layout.ts';
import { plain, valueIn, type Value } from '../api/blocks.ts';
import { DATA_OPTION, loadData, pointFrom, startsFrom } from './data.ts';
import { defaultSchedules as schedules } from '../../solvers/schedules.ts';
import type { Command, OptionSpec } from './command.ts';
import { json, jsonError, table } from './format.ts';
import { settingsRead } from '../schedule/settings.ts';
import { asFlags, schedulesHelp, settingsFromFlags, settingSpecs } from './settingFlags.ts';
import { loadSource, numberFlag, onlySource, parseAt, POINT_OPTIONS, SOURCE_HELP } from './source.ts';

/** Above this many variables the certificate lists inputs, outputs, the worst ones and the named ones (--all: every one). */
const ROWS = 60;

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'certify the multipliers: KKT residuals, every schedule compared, dot-product and finite-difference tests',
  synopsis: `lagrad verify <source> [options]\n\n${SOURCE_HELP}`,
  get options() {
    const read = new Set(settingsRead(verified()));
    return {
      ...POINT_OPTIONS,
      ...DATA_OPTION,
      json: {
        type: 'boolean',
        help: 'print {"ok", "schedules", "maxMultiplierDisagreement", "kkt", "dotProduct", "finiteDifference", …} as JSON',
      },
      all: { type: 'boolean', help: `list every variable in the certificate, not at most ${ROWS} rows` },
      seed: { type: 'string', value: 'N', help: 'seed of the random direction of the dot-product test', default: '1' },
      // Every schedule's settings parse, so one that no schedule verify runs reads is named as such.
      ...settingSpecs(settingsRead(schedules.list()), (s) => read.has(s)),
    } satisfies Record<string, OptionSpec>;
  },
  get notes() {
    return `Runs ${VERIFY_SCHEDULES.join(', ')}, compares their multipliers over every variable, and checks the
KKT conditions at the reverse solution. Each schedule gets the settings it reads. Exit status 0 only
when every check is within its printed tolerance; 1 otherwise, naming the worst variable. At a kink
(relu at 0) finite differences are reported as not applicable, with the one-sided differences.

${schedulesHelp(verified())}`;
  },
  run(positionals, flags, io) {
    const settings = settingsFromFlags(flags, settingsRead(schedules.list()));
    const data = loadData(flags.data as string | undefined, io);
    const program = startsFrom(loadSource(onlySource(positionals), io, data?.shapes), data);
    const point = pointFrom(program, data, parseAt(flags.at as string[] | undefined));
    const report = asFlags(() =>
      verify(program, point, {
        output: flags.output as string | undefined,
        seed: numberFlag('seed', flags.seed as string | undefined),
        settings,
      }),
    );
    io.out(
      (flags.json ? json(toJson(report), flags) : certificate(report, positionals[0] ?? '', Boolean(flags.all))) + '\n',
    );
    if (!report.ok && report.worst)
      io.err(
        (flags.json ? jsonError('verify', failure(report.worst)) : `lagrad: verify: ${failure(report.worst)}`) + '\n',
      );
    return report.ok ? 0 : 1;
  },
};

/** The schedules `lagrad verify` runs, as registered. */
function verified() {
  return VERIFY_SCHEDULES.filter((n) => schedules.names().includes(n)).map((n) => schedules.get(n));
}

/** The report as the JSON object `lagrad verify --json` prints: numbers are finite, or null where nothing was measured. */
export function toJson(r: VerifyReport): Record<string, unknown> {
  const schedules = Object.fromEntries(
    Object.values(r.schedules).map((s) => [
      s.name,
      s.failed !== undefined
        ? { failed: s.failed }
        : s.skipped !== undefined
          ? { skipped: s.skipped }
          : {
              gradient: s.gradient,
              multipliers: s.lambda !== null,
              stats: s.stats,
              ...(s.note ? { note: s.note } : {}),
            },
    ]),
  );
  const fd = r.finiteDifference;
  const fdCheck = r.checks.find((c) => c.name === 'finiteDifference');
  const finiteDifference = fd
    ? {
        applicable: fd.applicable,
        maxError: fd.applicable ? measured(fd.maxError) : null,
        errorEstimate: measured(fd.errorEstimate),
        step: measured(fd.step),
        ...(fd.direction !== undefined && { direction: measured(fd.direction) }),
        ...(fd.kinks.length
          ? {
              kinks: fd.kinks.map((k) => ({ input: slotLabel(r.program, k.input), left: k.left, right: k.right })),
              note: fdCheck?.detail,
            }
          : {}),
      }
    : { applicable: false, maxError: null, skipped: r.schedules.fd?.skipped ?? r.schedules.fd?.failed ?? 'not run' };
  return {
    ok: r.ok,
    value: r.value,
    schedules,
    maxMultiplierDisagreement: measured(r.maxMultiplierDisagreement),
    kkt: { primal: measured(r.kkt.primal), dual: measured(r.kkt.dual) },
    dotProduct: measured(r.dotProduct),
    finiteDifference,
    multipliers: Object.fromEntries(
      [...r.program.names]
        .sort((a, b) => a[1] - b[1])
        .map(([name, i]) => [name, plain(valueIn(r.program, r.lambda, i))]),
    ),
    tolerances: r.tolerances,
    worst: r.worst && {
      check: r.worst.name,
      variable: r.worst.label || null,
      value: measured(r.worst.value),
      tolerance: r.worst.tolerance,
    },
  };
}

/** A measured number for JSON: itself when finite, else null (a residual that overflowed). */
function measured(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** The human-readable certificate: constraints, values, multipliers, residuals, schedules, checks. */
export function certificate(r: VerifyReport, source: string, all: boolean): string {
  const p = r.program;
  const point = p.inputNames.map((name, k) => `${name} = ${cell(valueIn(p, r.values, k))}`).join(', ');
  const objective = [...p.outputs].map((o, k) => `${r.weights[k]}·${p.label(o)}`).join(' + ');
  const lines = [
    `lagrad verify — certificate for ${source}`,
    `point      ${point}`,
    `objective  ${objective} = ${r.value}`,
    '',
  ];

  lines.push(
    'Constraints v_i = p_i(parents), values, and multipliers λ_i = ∂objective/∂v_i (certified: ' +
      (r.schedules.reverse && r.lambda === r.schedules.reverse.lambda ? 'reverse' : 'given') +
      ')',
  );
  const rows: (string | number)[][] = [
    ['variable', 'constraint', 'value', 'λ', 'primal res.', 'dual res.', 'disagreement'],
  ];
  const shown = rowsToShow(r, all);
  for (const i of shown) {
    rows.push([
      p.label(i),
      constraintText(p, i),
      cell(valueIn(p, r.values, i)),
      cell(valueIn(p, r.lambda, i)),
      residual(r.certificate.primalResiduals[i]),
      residual(r.certificate.dualResiduals[i]),
      residual(r.disagreement[i]),
    ]);
  }
  lines.push(table(rows, '  '));
  if (shown.length < p.size) lines.push(`  … ${p.size - shown.length} more variables (--all lists every one)`);
  lines.push(
    '  primal res. = |v_i − p_i(v_Pa(i))| / (|v_i| + |p_i| + Σ_j |J_ij v_j|);  dual res. = |((I − J)ᵀλ − w)_j| / (|λ_j| + |w_j| + Σ_i |λ_i J_ij|)',
    '  disagreement = largest |λ_j(A) − λ_j(B)| / max(μ_j, |λ_j(A)|, |λ_j(B)|) over pairs of schedules, μ_j = Σ over paths j → o of |w_o ∏ J|',
    '  (members of a cyclic component, solved as one block, are judged against the largest scale in their component)',
    '',
    'Schedules (gradient = multipliers of the inputs)',
  );
  const names = p.inputNames;
  const scheduleRows: (string | number)[][] = [['schedule', ...names.map((n) => `∂/∂${n}`), 'multipliers', 'notes']];
  for (const s of Object.values(r.schedules)) {
    if (s.gradient === null) {
      scheduleRows.push([
        s.name,
        ...names.map(() => '—'),
        '—',
        s.failed !== undefined ? `FAILED: ${s.failed}` : `skipped: ${s.skipped}`,
      ]);
      continue;
    }
    scheduleRows.push([
      s.name,
      ...names.map((n) => cell(s.gradient![n])),
      s.lambda ? `all ${p.size}` : 'inputs only',
      notes(s.name, s.stats!, s.note),
    ]);
  }
  lines.push(table(scheduleRows, '  '), '', 'Checks (each passes when value ≤ tolerance)');
  const checkRows: (string | number)[][] = [['check', 'value', 'tolerance', '', 'worst at', 'detail']];
  for (const c of r.checks) {
    const verdict = c.applicable ? (c.ok ? 'ok' : 'FAIL') : 'not applicable';
    checkRows.push([
      TITLES[c.name],
      c.applicable ? residual(c.value) : 'n/a',
      residual(c.tolerance),
      verdict,
      c.label || '—',
      c.detail,
    ]);
  }
  lines.push(table(checkRows, '  '), '');
  if (r.ok) {
    const exact = Object.values(r.schedules)
      .filter((s) => s.gradient !== null && s.name !== 'fd')
      .map((s) => s.name);
    const fd = r.finiteDifference;
    const kinks = fd ? fd.kinks.map((k) => slotLabel(p, k.input)).join(', ') : '';
    const except = kinks ? ` (except along a kink: ${kinks})` : '';
    const differences = !fd
      ? ''
      : fd.applicable
        ? ` and with finite differences${except}`
        : ` (finite differences not applicable: a kink along ${kinks})`;
    lines.push(
      `verified: the multipliers satisfy the KKT conditions, v = p(v) and (I − J)ᵀλ = w, and agree with every solution (${exact.join(', ')})${differences}.`,
    );
  } else {
    lines.push(`NOT verified: ${failure(r.worst!)}`);
  }
  return lines.join('\n');
}

const TITLES: Record<Check['name'], string> = {
  multipliers: 'schedules agree on every λ',
  primal: 'primal KKT: v − p(v) = 0',
  dual: 'dual KKT: (I − J)ᵀλ = w',
  dotProduct: 'dot product ⟨λ, J v̇⟩ = ⟨Jᵀλ, v̇⟩',
  finiteDifference: 'finite differences = λ_inputs',
  schedules: 'every schedule ran',
};

/** One line naming the failed check and its worst variable. */
function failure(c: Check): string {
  const at = c.label ? ` at variable '${c.label}'` : '';
  if (c.name === 'schedules') return `${TITLES[c.name]}: no — ${c.detail}`;
  return `${TITLES[c.name]}: ${residual(c.value)} exceeds the tolerance ${residual(c.tolerance)}${at}`;
}

function notes(name: string, stats: Record<string, number>, note: string | undefined): string {
  const parts: string[] = [];
  if (name === 'paths' && stats.paths !== undefined) parts.push(`${stats.paths} paths`);
  if (name === 'dense' && stats.matrixOrder !== undefined) parts.push(`${stats.matrixOrder}×${stats.matrixOrder} LU`);
  if (name === 'fd') parts.push(`step ≤ ${residual(stats.step)}, error estimate ≤ ${residual(stats.errorEstimate)}`);
  parts.push(`${residual(stats.timeMs)} ms`);
  if (note) parts.push(note);
  return parts.join(', ');
}

/** Which variables the certificate lists: all when few (or --all); else inputs, outputs, the worst and the named. */
function rowsToShow(r: VerifyReport, all: boolean): number[] {
  const p = r.program;
  if (all || p.size <= ROWS) return Array.from({ length: p.size }, (_, i) => i);
  const keep = new Set<number>();
  for (let k = 0; k < p.inputCount && keep.size < ROWS / 3; k++) keep.add(k);
  for (const o of p.outputs) keep.add(o);
  for (const c of r.checks) if (c.variable >= 0) keep.add(c.variable);
  for (const i of [...p.names.values()].sort((a, b) => a - b)) if (keep.size < ROWS) keep.add(i);
  return [...keep].sort((a, b) => a - b);
}

/** A number as it is; a block as its shape and norm (`[4, 64] ‖·‖ 3.21`). */
function cell(value: Value): string | number {
  if (typeof value === 'number') return value;
  const entries = value instanceof Float64Array ? value : value.to1DArray();
  let norm = 0;
  for (const x of entries) norm += x * x;
  const shape = value instanceof Float64Array ? `[${value.length}]` : `[${value.rows}, ${value.columns}]`;
  return `${shape} ‖·‖ ${formatNumber(Math.sqrt(norm), 6)}`;
}

/** `square(x)`, `powc(x; θ = 3)`, `input`, `const 2`. */
function constraintText(p: Program, i: number): string {
  const c = p.constraint(i);
  if (c.op === 'input') return 'input';
  if (c.parents.length === 0) return c.constant !== undefined ? `${c.op} ${c.constant}` : c.op;
  const args = c.parents.map((j) => p.label(j)).join(', ');
  return `${c.op}(${args}${c.constant !== undefined ? `; θ = ${c.constant}` : ''})`;
}

/** Residuals, tolerances and times in three digits (0 stays 0). */
function residual(x: number): string {
  return formatNumber(x, 3);
}
