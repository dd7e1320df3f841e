import { LagradError } from '../error.ts';
import { checkWorkspace } from '../schedule/problem.ts';
import type { Solution, Workspace } from '../schedule/schedule.ts';

// Reused buffers, checked. The arrays of one workspace must not share memory (a sweep would read
// what it has just overwritten). A result whose arrays are a workspace's buffers remembers how many
// solves had been handed each buffer, so that reading it after a later solve is an error, not a
// silently different answer. Allocation-free per call beyond one small record: grad in a loop with a
// workspace is the case that matters for speed.

/**
 * How many solves have been handed each buffer, by its ArrayBuffer and the offset it starts at:
 * small arrays share ArrayBuffers (schedule.ts carves them from slabs), so the ArrayBuffer alone
 * would count a solve on one array against its neighbours.
 */
const generations = new WeakMap<ArrayBufferLike, Map<number, number>>();

/** The count of a buffer after one more solve was handed it. */
function handOut(b: Float64Array | undefined): number {
  if (b === undefined) return 0;
  let counts = generations.get(b.buffer);
  if (counts === undefined) generations.set(b.buffer, (counts = new Map()));
  const g = (counts.get(b.byteOffset) ?? 0) + 1;
  counts.set(b.byteOffset, g);
  return g;
}

/**
 * A workspace's buffers as handed to one solve, with the count each had then: the lease of the
 * result, which reads them only while no later solve has been handed them.
 */
export class Lease {
  private readonly values: number;
  private readonly lambda: number;
  private readonly tangents: number;

  constructor(private readonly workspace: Workspace) {
    checkWorkspace(workspace);
    this.values = handOut(workspace.values);
    this.lambda = handOut(workspace.lambda);
    this.tangents = handOut(workspace.tangents);
  }

  /** True when `array` lives in one of the workspace's buffers (shares memory with one). */
  holds(array: Float64Array | null | undefined): boolean {
    if (array == null) return false;
    const { values, lambda, tangents } = this.workspace;
    return shares(array, values) || shares(array, lambda) || shares(array, tangents);
  }

  /** True when a solution's arrays live in the workspace (else the result owns them and needs no lease). */
  covers(solution: Solution): boolean {
    const { values, lambda } = this.workspace;
    // The common case by identity: `.buffer` of a small typed array moves its data off the heap.
    if (solution.values === values || solution.lambda === lambda) return true;
    return this.holds(solution.values) || this.holds(solution.lambda);
  }

  /** Throws when a later solve was handed one of the buffers. */
  check(what: string): void {
    const { values, lambda, tangents } = this.workspace;
    if (stale(values, this.values) || stale(lambda, this.lambda) || stale(tangents, this.tangents)) {
      throw new LagradError(
        'result',
        `its ${what} lived in the workspace, which a later solve has overwritten: read them before the next call on that workspace, or copy them (r.lambda.slice())`,
      );
    }
  }
}

function stale(b: Float64Array | undefined, seen: number): boolean {
  return b !== undefined && generations.get(b.buffer)?.get(b.byteOffset) !== seen;
}

/** True when two arrays share memory: the same ArrayBuffer and overlapping bytes. */
function shares(a: Float64Array, b: Float64Array | undefined): boolean {
  return (
    b !== undefined &&
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/** Checks a workspace and counts a solve against its buffers (null: no workspace). */
export function lease(workspace: Workspace | undefined): Lease | null {
  return workspace === undefined ? null : new Lease(workspace);
}

export { checkWorkspace };
