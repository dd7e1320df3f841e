import { LagradError, UsageError } from '../error.ts';
import type { Solution, Workspace } from '../schedule/schedule.ts';

// Reused buffers, checked. The arrays of one workspace must not share memory (a sweep would read
// what it has just overwritten). A result whose arrays are a workspace's buffers remembers how many
// solves had been handed each buffer, so that reading it after a later solve is an error, not a
// silently different answer.

/** How many solves have been handed each buffer, by its ArrayBuffer. */
const generations = new WeakMap<ArrayBufferLike, number>();

/** The workspace buffers a result's arrays live in, and the generation each had when it was made. */
export interface Lease {
  /** True when `array` lives in one of the buffers. */
  holds(array: Float64Array | null | undefined): boolean;
  /** Throws when a later solve was handed one of the buffers the result reads. */
  check(what: string): void;
}

/**
 * Checks a workspace and counts a solve against its buffers; then `of(solution)` is the lease for
 * the arrays of that solution that live in them (null: none do, the result owns its arrays).
 */
export function lease(workspace: Workspace | undefined): { of(solution: Solution): Lease | null } | null {
  if (workspace === undefined) return null;
  const buffers = checkWorkspace(workspace);
  if (buffers.length === 0) return null;
  const seen = buffers.map((b) => {
    const g = (generations.get(b.buffer) ?? 0) + 1;
    generations.set(b.buffer, g);
    return g;
  });
  return {
    of(solution) {
      const used = buffers.flatMap((b, k) => (b.buffer === solution.values.buffer || b.buffer === solution.lambda?.buffer || b.buffer === solution.gradient.buffer ? [k] : []));
      if (used.length === 0) return null;
      return {
        holds: (array) => array != null && used.some((k) => buffers[k].buffer === array.buffer),
        check(what) {
          for (const k of used) {
            if (generations.get(buffers[k].buffer) !== seen[k]) {
              throw new LagradError('result', `its ${what} lived in the workspace, which a later solve has overwritten: read them before the next call on that workspace, or copy them (r.lambda.slice())`);
            }
          }
        },
      };
    },
  };
}

const BUFFERS = ['values', 'lambda', 'tangents'] as const;

/** The workspace's buffers; one that is not a Float64Array, or two that share memory, is an error. */
export function checkWorkspace(workspace: Workspace): Float64Array[] {
  if (typeof workspace !== 'object' || workspace === null) throw new UsageError('workspace', 'must be an object { values?, lambda?, tangents? } of Float64Arrays');
  const given: [string, Float64Array][] = [];
  for (const key of BUFFERS) {
    const b = workspace[key];
    if (b === undefined) continue;
    if (!(b instanceof Float64Array)) throw new UsageError(`workspace.${key}`, 'must be a Float64Array');
    for (const [other, o] of given) {
      if (o.buffer === b.buffer && o.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < o.byteOffset + o.byteLength) {
        throw new UsageError('workspace', `${other} and ${key} share memory; give each buffer its own`);
      }
    }
    given.push([key, b]);
  }
  return given.map(([, b]) => b);
}
