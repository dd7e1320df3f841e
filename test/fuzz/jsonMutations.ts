import fc from 'fast-check';
import { INPUT } from '../../src/primitives/primitive.ts';
import { primitives } from '../../src/primitives/registry.ts';

// Random mutations of a valid program's JSON form — a value replaced by junk or nudged by one, a
// key or element removed, added or duplicated — and an independent statement of what a valid
// program JSON is, written without the reader's helpers, to judge whatever `fromJSON` accepts.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Values that are wrong in some field: wrong type, out of range, not an integer, not finite. */
const JUNK: readonly unknown[] = [
  null,
  true,
  false,
  'x',
  '0',
  '',
  2 ** 32,
  2 ** 31,
  -1,
  -0,
  0.5,
  1e308,
  -1e308,
  2 ** 53,
  [],
  {},
  [0],
  [0, 0],
  { 0: 1 },
  NaN,
  Infinity,
  undefined,
];

/** One mutation, as data (so fast-check can print and shrink it). */
export interface Mutation {
  /** Which node, as a draw over the nodes of the tree in order. */
  readonly node: number;
  readonly kind: 'junk' | 'nudge' | 'delete' | 'insert' | 'duplicate' | 'rename';
  readonly junk: number;
  readonly by: number;
}

export const mutation: fc.Arbitrary<Mutation> = fc.record({
  node: fc.nat(),
  kind: fc.constantFrom('junk', 'junk', 'nudge', 'nudge', 'delete', 'insert', 'duplicate', 'rename'),
  junk: fc.nat({ max: JUNK.length - 1 }),
  by: fc.constantFrom(-1, 1, 2, -2, 1000),
});

interface Slot {
  readonly parent: Record<string, unknown> | unknown[] | null;
  readonly key: string | number;
}

/** Every node of the tree with its parent and key (the root has none). */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [{ parent: null, key: '' }];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((child, k) => {
        out.push({ parent: node, key: k });
        stack.push(child);
      });
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, child] of Object.entries(node)) {
        out.push({ parent: node as Record<string, unknown>, key });
        stack.push(child);
      }
    }
  }
  return out;
}

/** Applies mutations to a deep copy of `json` (whose root may itself be replaced). */
export function mutate(json: Json, mutations: readonly Mutation[]): unknown {
  let root: unknown = structuredClone(json);
  for (const m of mutations) {
    const all = slots(root);
    const { parent, key } = all[m.node % all.length];
    const get = () => (parent === null ? root : (parent as Record<string | number, unknown>)[key]);
    const set = (value: unknown) => {
      if (parent === null) root = value;
      else (parent as Record<string | number, unknown>)[key] = value;
    };
    const value = get();
    switch (m.kind) {
      case 'junk':
        set(structuredClone(JUNK[m.junk]));
        break;
      case 'nudge':
        set(
          typeof value === 'number'
            ? value + m.by
            : Array.isArray(value)
              ? value.slice(0, Math.max(0, value.length + m.by))
              : structuredClone(JUNK[m.junk]),
        );
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else if (parent !== null) delete (parent as Record<string, unknown>)[key as string];
        else root = undefined;
        break;
      case 'insert':
        if (Array.isArray(value)) value.splice(m.by & 3, 0, structuredClone(JUNK[m.junk]));
        else if (typeof value === 'object' && value !== null)
          (value as Record<string, unknown>)[['extra', '7', '-1', '0.5', '__proto__', 'x'][m.junk % 6]] =
            structuredClone(JUNK[m.junk]);
        break;
      case 'duplicate':
        if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(value));
        break;
      case 'rename':
        if (parent !== null && !Array.isArray(parent)) {
          delete (parent as Record<string, unknown>)[key as string];
          (parent as Record<string, unknown>)[`${String(key)}s`] = value;
        }
        break;
    }
  }
  return root;
}

const FIELDS = [
  'format',
  'version',
  'primitives',
  'ops',
  'parentStart',
  'parents',
  'constants',
  'outputs',
  'names',
  'defaults',
  'initial',
  'source',
];
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isIndex = (x: unknown, n: number) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x < n;
const isFinite = (x: unknown) => typeof x === 'number' && Number.isFinite(x);
const isKey = (key: string, n: number) => String(Number(key)) === key && isIndex(Number(key), n);

/**
 * Whether `data` is a valid program JSON, stated field by field on its own — the reference that
 * what `fromJSON` accepts is checked against (and what it refuses, except for faults found later,
 * such as a constraint with the wrong number of parents, which this also states).
 */
export function validProgramJson(data: unknown): boolean {
  if (!isObject(data) || data.format !== 'lagrad.program' || data.version !== 1) return false;
  if (Object.keys(data).some((k) => !FIELDS.includes(k))) return false;
  const { primitives: names, ops, parentStart, parents, constants, outputs } = data;
  if (![names, ops, parentStart, parents, constants, outputs].every(Array.isArray)) return false;
  const nameList = names as unknown[];
  if (!nameList.every((p) => typeof p === 'string' && primitives.has(p))) return false;
  const table = (nameList as string[]).map((p) => primitives.get(primitives.code(p)));
  const opList = ops as unknown[];
  const n = opList.length;
  if (!opList.every((o) => isIndex(o, table.length))) return false;
  const parentList = parents as unknown[];
  if (!parentList.every((j) => isIndex(j, n))) return false;
  const starts = parentStart as unknown[];
  if (starts.length !== n + 1 || starts[0] !== 0 || starts[n] !== parentList.length) return false;
  for (let i = 0; i < n; i++) {
    const [s, e] = [starts[i], starts[i + 1]];
    if (!isIndex(e, parentList.length + 1) || (e as number) < (s as number)) return false;
    const arity = table[opList[i] as number].arity;
    const count = (e as number) - (s as number);
    if (arity === 'variadic' ? count < 1 : count !== arity) return false;
  }
  const given = new Set<number>();
  for (const pair of constants as unknown[]) {
    if (!Array.isArray(pair) || pair.length !== 2 || !isIndex(pair[0], n) || !isFinite(pair[1])) return false;
    if (!table[opList[pair[0]] as number].constant || given.has(pair[0])) return false;
    given.add(pair[0]);
  }
  if (!(outputs as unknown[]).every((o) => isIndex(o, n))) return false;
  const object = (x: unknown) => x === undefined || isObject(x);
  if (!object(data.names) || !object(data.defaults) || !object(data.initial)) return false;
  if (!Object.values(data.names ?? {}).every((i) => isIndex(i, n))) return false;
  const inputCode = primitives.code('input');
  for (const [key, x] of Object.entries(data.defaults ?? {})) {
    if (!isKey(key, n) || table[opList[Number(key)] as number].name !== primitives.get(inputCode).name || !isFinite(x))
      return false;
  }
  for (const [key, x] of Object.entries(data.initial ?? {})) if (!isKey(key, n) || !isFinite(x)) return false;
  if (data.source !== undefined) {
    const s = data.source;
    if (!isObject(s) || Object.keys(s).some((k) => !['file', 'line', 'column'].includes(k))) return false;
    if (s.file !== undefined && typeof s.file !== 'string') return false;
    for (const column of [s.line, s.column])
      if (!Array.isArray(column) || column.length !== n || !column.every((x) => isIndex(x, 2 ** 31 - 1))) return false;
  }
  return INPUT === inputCode;
}
