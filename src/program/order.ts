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
 *
 * Inside a cyclic component the members stand in the order of a depth-first search along parent
 * edges, finished first first — the order a Gauss–Seidel sweep over the component runs in. The
 * search starts from the member `state` ranks highest (the `.lag` file's init'd, then named
 * variables), which therefore comes last in the sweep: a sweep computes everything from the state's
 * current value, then the state, as one iteration of `v = f(v)` reads.
 */
export function orderVariables(
  n: number,
  isInput: (i: number) => boolean,
  ps: Int32Array,
  pa: Int32Array,
  state?: (i: number) => number,
): Ordering {
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
  // Variables in the order their search finished: parents before children, except along the edges
  // that close a cycle. A component's members are the top of this stack when it is found.
  const finished = new Int32Array(n);
  let fp = 0;
  const cycles: number[] = [];
  let search: ComponentSearch | undefined;

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
      finished[fp++] = v;
      if (low[v] === index[v]) {
        // v is the root of a component: its members are on the stack above it.
        const start = placed;
        let w: number;
        do {
          w = stack[--sp];
          onStack[w] = 0;
          placed++;
        } while (w !== v);
        // Members in the order they finished: a Gauss–Seidel sweep over the component then reads
        // this sweep's values everywhere but across the edges that close cycles, and converges fastest.
        const count = placed - start;
        // A loop, not order.set(finished.subarray(…)): most components are single variables, and
        // a view per component is an object per variable.
        for (let k = 0; k < count; k++) order[start + k] = finished[fp - count + k];
        fp -= count;
        if (count > 1 && state) {
          search ??= new ComponentSearch(n);
          search.reorder(order.subarray(start, placed), state, ps, pa);
        }
        if (count > 1 || hasSelfLoop(v, ps, pa)) cycles.push(start, placed);
      }
      if (cp > 0) {
        const u = callNode[cp - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  return { order, cycles: Int32Array.from(cycles) };
}

/** Depth-first post-order of one component from a chosen member, with explicit stacks. */
class ComponentSearch {
  private readonly mark: Int32Array;
  private readonly node: Int32Array;
  private readonly edge: Int32Array;
  private stamp = 0;

  constructor(n: number) {
    this.mark = new Int32Array(n);
    this.node = new Int32Array(n);
    this.edge = new Int32Array(n);
  }

  /** Rewrites `members` (in finish order) as the post-order of a search from the best-ranked member. */
  reorder(members: Int32Array, state: (i: number) => number, ps: Int32Array, pa: Int32Array): void {
    let root = members[members.length - 1];
    let best = state(root);
    for (let k = members.length - 2; k >= 0; k--) {
      const rank = state(members[k]);
      if (rank > best) [root, best] = [members[k], rank];
    }
    // The last member finished is the search's own root: the order is already the one wanted.
    if (root === members[members.length - 1]) return;
    const inside = ++this.stamp;
    const seen = ++this.stamp;
    const { mark, node, edge } = this;
    for (let k = 0; k < members.length; k++) mark[members[k]] = inside;
    let placed = 0;
    let top = 0;
    mark[root] = seen;
    node[top] = root;
    edge[top++] = ps[root];
    while (top > 0) {
      const v = node[top - 1];
      const e = edge[top - 1];
      if (e < ps[v + 1]) {
        edge[top - 1] = e + 1;
        const w = pa[e];
        if (mark[w] === inside) {
          mark[w] = seen;
          node[top] = w;
          edge[top++] = ps[w];
        }
        continue;
      }
      top--;
      members[placed++] = v;
    }
  }
}

/**
 * The cyclic components in the given numbering when it is already an evaluation order — inputs
 * first, every parent earlier or in the constraint's own component, each component contiguous —
 * else null. `ordering` is what `orderVariables` found for the same graph. A program written in
 * its own evaluation order (its JSON form) is then read back in that order, members included.
 */
export function givenOrder(
  n: number,
  isInput: (i: number) => boolean,
  ps: Int32Array,
  pa: Int32Array,
  ordering: Ordering,
): Int32Array | null {
  if (ordering.order === null) return ordering.cycles;
  const { order, cycles } = ordering;
  let seenConstraint = false;
  for (let i = 0; i < n; i++) {
    if (!isInput(i)) seenConstraint = true;
    else if (seenConstraint) return null;
  }
  const component = new Int32Array(n).fill(-1);
  const given: number[] = [];
  for (let c = 0; c < cycles.length; c += 2) {
    let low = n;
    let high = -1;
    for (let k = cycles[c]; k < cycles[c + 1]; k++) {
      component[order[k]] = c;
      low = Math.min(low, order[k]);
      high = Math.max(high, order[k]);
    }
    if (high - low + 1 !== cycles[c + 1] - cycles[c]) return null;
    given.push(low, high + 1);
  }
  for (let i = 0; i < n; i++) {
    for (let e = ps[i]; e < ps[i + 1]; e++) {
      const j = pa[e];
      if (j >= i && (component[i] < 0 || component[j] !== component[i])) return null;
    }
  }
  const ranges = Int32Array.from(given);
  // Components in the given numbering, by their first member (topological, as every edge is).
  const pairs = Array.from({ length: ranges.length / 2 }, (_, k) => [ranges[2 * k], ranges[2 * k + 1]]).sort(
    (a, b) => a[0] - b[0],
  );
  return Int32Array.from(pairs.flat());
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

/** True when constraint v lists itself among its parents. */
export function hasSelfLoop(v: number, ps: Int32Array, pa: Int32Array): boolean {
  for (let e = ps[v]; e < ps[v + 1]; e++) if (pa[e] === v) return true;
  return false;
}
