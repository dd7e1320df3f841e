import type { Dag } from './dag.ts';
import { ByNameRunner, LagradRunner } from './lagrad.ts';
import { microGradient, microValue } from './micrograd.ts';
import { Tape } from './tape.ts';
import { reachingInputs, tfGradient, tfValue, type TF } from './tfjs.ts';

/** Which solve a row times: the value only, the gradient by reverse mode, or by forward mode. */
export type Mode = 'value' | 'gradient' | 'forward mode';

/** One system's way to run one workload. */
export interface Runner {
  readonly system: string;
  readonly mode: Mode;
  /** Relative tolerance of the check against lagrad (float32 systems get a looser one). */
  readonly tolerance: number;
  /** The output value (mode 'value') or the gradient with respect to the inputs. */
  run(): number | Float64Array;
}

/** Which systems run on one workload at one size (TF.js and the object graph get slow or large). */
export interface Selection {
  readonly micrograd: boolean;
  readonly tfjs: boolean;
  readonly forwardMode: boolean;
  /** The lecture's calls by input name (ByNameRunner), when the program's inputs are x, y, z. */
  readonly byName?: ByNameRunner;
}

const FLOAT64 = 1e-9;
const FLOAT32 = 1e-3;

/**
 * Every system on one DAG, lagrad's own rows first (they are the reference the others are
 * checked against). `lagrad` carries the program already built.
 */
export function runners(dag: Dag, lagrad: LagradRunner, tf: TF | null, selected: Selection): Runner[] {
  const x = dag.x;
  const list: Runner[] = [
    { system: 'lagrad', mode: 'value', tolerance: 0, run: () => lagrad.value(x) },
    { system: 'lagrad', mode: 'gradient', tolerance: 0, run: () => lagrad.gradient(x) },
    { system: DEFAULT_CALL, mode: 'gradient', tolerance: 0, run: () => lagrad.defaultGradient(x) },
  ];
  const byName = selected.byName;
  if (byName) {
    list.push(
      { system: BY_NAME, mode: 'value', tolerance: 0, run: () => byName.value(x) },
      { system: BY_NAME, mode: 'gradient', tolerance: 0, run: () => byName.gradient(x) },
    );
  }
  const tape = new Tape(dag);
  const out = new Float64Array(dag.inputs);
  list.push(
    { system: 'tape', mode: 'value', tolerance: FLOAT64, run: () => tape.forward(x) },
    { system: 'tape', mode: 'gradient', tolerance: FLOAT64, run: () => (tape.forward(x), tape.reverse(out)) },
  );
  if (selected.forwardMode) {
    list.push(
      { system: 'lagrad', mode: 'forward mode', tolerance: FLOAT64, run: () => lagrad.gradient(x, 'forward') },
      { system: 'tape', mode: 'forward mode', tolerance: FLOAT64, run: () => (tape.forward(x), tape.tangent(out)) },
    );
  }
  if (selected.micrograd) {
    list.push(
      { system: 'micrograd', mode: 'value', tolerance: FLOAT64, run: () => microValue(dag, x) },
      { system: 'micrograd', mode: 'gradient', tolerance: FLOAT64, run: () => microGradient(dag, x) },
    );
  }
  if (tf && selected.tfjs) {
    const reaching = reachingInputs(dag);
    list.push(
      { system: 'tfjs', mode: 'value', tolerance: FLOAT32, run: () => tfValue(tf, dag, x) },
      { system: 'tfjs', mode: 'gradient', tolerance: FLOAT32, run: () => tfGradient(tf, dag, x, reaching) },
    );
  }
  return list;
}

/** lagrad's `grad(program, x)` with every option at its default (fresh buffers, schedule auto). */
export const DEFAULT_CALL = 'lagrad default call';
/** lagrad called with the point and the gradient by input name (the lecture function). */
export const BY_NAME = 'lagrad by name';

/**
 * The error of a result against lagrad's: |Δ|∞ / max(|reference|∞, 1e-300), so that a tolerance
 * reads as "agrees to about this many digits of the largest entry".
 */
export function relativeError(result: number | Float64Array, reference: number | Float64Array): number {
  const r = typeof result === 'number' ? [result] : result;
  const ref = typeof reference === 'number' ? [reference] : reference;
  if (r.length !== ref.length) return Infinity;
  let diff = 0;
  let scale = 1e-300;
  for (let k = 0; k < ref.length; k++) {
    diff = Math.max(diff, Math.abs(r[k] - ref[k]));
    scale = Math.max(scale, Math.abs(ref[k]));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}
