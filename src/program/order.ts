/**
 * The evaluation order of a program's variables: inputs first, then every constraint after its
 * parents; variables that depend on each other (a strongly connected component of the parent
 * graph) stand contiguously, each component after the components it reads. This is a topological
 * order of the condensation, found with Tarjan's algorithm written with explicit stacks, so a chain
 * of 10⁷ constraints cannot overflow the call stack.
 */
export interface Ordering {
  /** order[k] = the old index of the variable placed k-th; null when the given order already serves. */
  readonly order: Int32Array | null;
  /** Flattened [start, end) ranges, in the new numbering, of the cyclic components (size > 1 or a self-loop). */
  readonly cycles: Int32Array;
}

/**
 * Orders variables given as CSR parent lists (ps: offsets of length n + 1, pa: parent indices).
 * isInput marks variables without a constraint. O(N + E) time.
 */
export function orderVariables(n: number, isInput: (i: number) => boolean, ps: Int32Array, pa: Int32Array): Ordering {
  if (alreadyOrdered(n, isInput, ps, pa)) return { order: null, cycles: new Int32Array(0) };

  const order = new Int32Array(n);
  let placed = 0;
  const index = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (isInput(i)) {
      index[i] = placed;
      order[placed++] = i;
    }
  }
  let counter = placed;
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let cp = 0;
  const cycles: number[] = [];

  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    callNode[cp] = root;
    callEdge[cp++] = ps[root];
    while (cp > 0) {
      const v = callNode[cp - 1];
      const e = callEdge[cp - 1];
      if (e < ps[v + 1]) {
        callEdge[cp - 1] = e + 1;
        const w = pa[e];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          callNode[cp] = w;
          callEdge[cp++] = ps[w];
        } else if (onStack[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      cp--;
      if (low[v] === index[v]) {
        // v is the root of a component: its members are on the stack above it.
        const start = placed;
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          order[placed++] = w;
        } while (w !== v);
        // Members came off the stack last-visited first; restore visiting order for readability.
        order.subarray(start, placed).reverse();
        if (placed - start > 1 || hasSelfLoop(v, ps, pa)) cycles.push(start, placed);
      }
      if (cp > 0) {
        const u = callNode[cp - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  return { order, cycles: Int32Array.from(cycles) };
}

function alreadyOrdered(n: number, isInput: (i: number) => boolean, ps: Int32Array, pa: Int32Array): boolean {
  let seenConstraint = false;
  for (let i = 0; i < n; i++) {
    if (isInput(i)) {
      if (seenConstraint) return false;
      continue;
    }
    seenConstraint = true;
    for (let e = ps[i], end = ps[i + 1]; e < end; e++) if (pa[e] >= i) return false;
  }
  return true;
}

function hasSelfLoop(v: number, ps: Int32Array, pa: Int32Array): boolean {
  for (let e = ps[v]; e < ps[v + 1]; e++) if (pa[e] === v) return true;
  return false;
}
