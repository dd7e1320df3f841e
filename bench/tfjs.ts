import { register } from 'node:module';
import { Op, type Dag } from './dag.ts';

// TensorFlow.js with its pure-JavaScript CPU backend, driven one scalar at a time, as a user would
// write a scalar program in it: each variable is a 0-d tensor and each primitive one kernel call.
// TF.js computes in float32 (its CPU backend has no float64), so its gradient is compared with a
// float32 tolerance.

export type TF = typeof import('@tensorflow/tfjs-core');
type Scalar = import('@tensorflow/tfjs-core').Scalar;
type Tensor = import('@tensorflow/tfjs-core').Tensor;

let loaded: TF | null = null;

/** Loads tfjs-core, the CPU backend and every gradient; quiet about the tfjs-node suggestion. */
export async function loadTf(): Promise<TF> {
  if (loaded) return loaded;
  register('./tfjs-resolve.mjs', import.meta.url);
  const log = console.log;
  const warn = console.warn;
  console.log = console.warn = () => {};
  try {
    const tf = (await import('@tensorflow/tfjs-core')) as TF;
    await import('@tensorflow/tfjs-backend-cpu');
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
    await tf.setBackend('cpu');
    await tf.ready();
    tf.scalar(0).dispose(); // the backend's first write prints its advice, silenced here
    loaded = tf;
    return tf;
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

/** The DAG as TF.js ops on scalars; returns the output tensor. */
function run(tf: TF, dag: Dag, xs: readonly Tensor[]): Scalar {
  const nodes: Tensor[] = new Array(dag.size);
  for (let k = 0; k < dag.inputs; k++) nodes[k] = xs[k];
  const { op, a, b, c } = dag;
  for (let i = dag.inputs; i < dag.size; i++) {
    const p = nodes[a[i]];
    switch (op[i]) {
      case Op.add:
        nodes[i] = tf.add(p, nodes[b[i]]);
        break;
      case Op.sub:
        nodes[i] = tf.sub(p, nodes[b[i]]);
        break;
      case Op.mul:
        nodes[i] = tf.mul(p, nodes[b[i]]);
        break;
      case Op.sin:
        nodes[i] = tf.sin(p);
        break;
      case Op.cos:
        nodes[i] = tf.cos(p);
        break;
      case Op.tanh:
        nodes[i] = tf.tanh(p);
        break;
      case Op.sigmoid:
        nodes[i] = tf.sigmoid(p);
        break;
      case Op.scale:
        nodes[i] = tf.mul(p, c[i]);
        break;
      case Op.exp:
        nodes[i] = tf.exp(p);
        break;
      case Op.square:
        nodes[i] = tf.square(p);
        break;
    }
  }
  return nodes[dag.size - 1] as Scalar;
}

/**
 * Which inputs the output depends on: tf.grads refuses an input that does not reach the output,
 * so those stay constants and get gradient 0 (found once per program, outside the timing).
 */
export function reachingInputs(dag: Dag): number[] {
  const reaches = new Uint8Array(dag.size);
  reaches[dag.size - 1] = 1;
  for (let i = dag.size - 1; i >= dag.inputs; i--) {
    if (!reaches[i]) continue;
    reaches[dag.a[i]] = 1;
    if (dag.b[i] >= 0) reaches[dag.b[i]] = 1;
  }
  return Array.from({ length: dag.inputs }, (_, k) => k).filter((k) => reaches[k]);
}

/** The forward pass only: the output's value. */
export function tfValue(tf: TF, dag: Dag, x: Float64Array): number {
  return tf.tidy(
    () =>
      run(
        tf,
        dag,
        Array.from(x, (v) => tf.scalar(v)),
      ).dataSync()[0],
  );
}

/** Forward and backward with tf.grads; the gradient with respect to the inputs (0 for those in none of `reaching`). */
export function tfGradient(tf: TF, dag: Dag, x: Float64Array, reaching: readonly number[]): Float64Array {
  const out = new Float64Array(dag.inputs);
  tf.tidy(() => {
    const xs = Array.from(x, (v) => tf.scalar(v));
    const f = (...args: Tensor[]) => {
      const inputs: Tensor[] = xs.slice();
      reaching.forEach((k, q) => (inputs[k] = args[q]));
      return run(tf, dag, inputs);
    };
    const gradients = tf.grads(f)(reaching.map((k) => xs[k]));
    reaching.forEach((k, q) => (out[k] = gradients[q].dataSync()[0]));
  });
  return out;
}
