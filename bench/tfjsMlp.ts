import type { MlpShape } from './mlpTape.ts';
import type { TF } from './tfjs.ts';

// The same network in TensorFlow.js on its CPU backend, written as a TF.js user writes it: tensors
// for the data and the parameters, the loss from TF.js's own ops (matMul, tanh,
// losses.softmaxCrossEntropy, whose default reduction is the mean over the batch), and its own
// reverse mode, tf.valueAndGrads. TF.js computes in float32 (its CPU backend has no float64): the
// data and parameters are rounded to float32 once, outside the timing, and its results are checked
// against lagrad's with a float32 tolerance.

type Tensor = import('@tensorflow/tfjs-core').Tensor;

export class TfMlp {
  private readonly X: Tensor;
  private readonly Y: Tensor;
  private readonly parameters: Tensor[];
  private readonly valueAndGrads: (args: Tensor[]) => { value: Tensor; grads: Tensor[] };
  /** The gradient after `gradient()`: W1, b1, W2, b2 back to back, as the hand-written tape lays it out. */
  readonly out: Float64Array;

  constructor(
    private readonly tf: TF,
    readonly shape: MlpShape,
    X: Float64Array,
    Y: Float64Array,
    theta: Float64Array,
  ) {
    const { m, d, h, c } = shape;
    this.X = tf.tensor2d(Float32Array.from(X), [m, d]);
    this.Y = tf.tensor2d(Float32Array.from(Y), [m, c]);
    const b1 = d * h;
    const W2 = b1 + h;
    const b2 = W2 + h * c;
    this.parameters = [
      tf.tensor2d(Float32Array.from(theta.subarray(0, b1)), [d, h]),
      tf.tensor1d(Float32Array.from(theta.subarray(b1, W2))),
      tf.tensor2d(Float32Array.from(theta.subarray(W2, b2)), [h, c]),
      tf.tensor1d(Float32Array.from(theta.subarray(b2, b2 + c))),
    ];
    this.valueAndGrads = tf.valueAndGrads((...args: Tensor[]) => this.forward(args));
    this.out = new Float64Array(b2 + c);
  }

  private forward([W1, b1, W2, b2]: readonly Tensor[]): Tensor {
    const { tf } = this;
    const hidden = tf.tanh(tf.add(tf.matMul(this.X, W1), b1));
    return tf.losses.softmaxCrossEntropy(this.Y, tf.add(tf.matMul(hidden, W2), b2));
  }

  /** The loss only. */
  value(): number {
    return this.tf.tidy(() => this.forward(this.parameters).dataSync()[0]);
  }

  /** The loss and its gradient with respect to the parameters (into `out`). */
  gradient(): number {
    return this.tf.tidy(() => {
      const { value, grads } = this.valueAndGrads(this.parameters);
      let offset = 0;
      for (const g of grads) {
        const entries = g.dataSync();
        this.out.set(entries, offset);
        offset += entries.length;
      }
      return value.dataSync()[0];
    });
  }

  /** C = A B in float32 by tf.matMul, the product's entries read back. */
  static matmul(tf: TF, A: Float64Array, B: Float64Array, m: number, k: number, n: number): () => Float32Array {
    const a = tf.tensor2d(Float32Array.from(A), [m, k]);
    const b = tf.tensor2d(Float32Array.from(B), [k, n]);
    return () => tf.tidy(() => tf.matMul(a, b).dataSync() as Float32Array);
  }
}
