import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The architecture as the folders show it, checked: the core (program, primitives, front-ends, the
// Lagrangian, the schedule interface) ← the schedules (solvers/) ← the API and the CLI.

const root = fileURLToPath(new URL('..', import.meta.url));
const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sources(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) return sources(path);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const files = [...sources('src'), ...sources('solvers')];
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), m[1] ?? m[2])));
    return [file, targets] as const;
  }),
);

/** The layer of a file: 0 core, 1 schedules, 2 API, 3 CLI, 4 the package entries (lagrad, lagrad/core). */
function layer(file: string): number {
  if (file === normalize('src/index.ts') || file === normalize('src/core.ts')) return 4;
  if (file.startsWith(normalize('src/cli/'))) return 3;
  if (file.startsWith(normalize('src/api/'))) return 2;
  if (file.startsWith('solvers')) return 1;
  return 0;
}

describe('layers', () => {
  it('every import points to the same layer or one below it', () => {
    const upward: string[] = [];
    for (const [file, targets] of imports) {
      for (const target of targets) if (layer(target) > layer(file)) upward.push(`${file} → ${relative('.', target)}`);
    }
    expect(upward).toEqual([]);
  });

  it('no import cycles among the files of src/ and solvers/', () => {
    // Depth-first search with an explicit stack; a back edge closes a cycle.
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    for (const start of files) {
      if (state.has(start)) continue;
      const stack: { file: string; next: number }[] = [{ file: start, next: 0 }];
      state.set(start, 'open');
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        const targets = (imports.get(top.file) ?? []).filter((t) => imports.has(t));
        if (top.next < targets.length) {
          const t = targets[top.next++];
          if (state.get(t) === 'open')
            cycles.push([...stack.map((s) => s.file).slice(stack.findIndex((s) => s.file === t)), t].join(' → '));
          else if (!state.has(t)) {
            state.set(t, 'open');
            stack.push({ file: t, next: 0 });
          }
        } else {
          state.set(top.file, 'done');
          stack.pop();
        }
      }
    }
    expect(cycles).toEqual([]);
  });

  it('no two files share a name', () => {
    const byName = new Map<string, string[]>();
    for (const file of files) {
      const name = file.split(/[\\/]/).pop()!;
      if (name === 'index.ts') continue;
      byName.set(name, [...(byName.get(name) ?? []), file]);
    }
    expect([...byName.values()].filter((f) => f.length > 1)).toEqual([]);
  });
});

describe('public entry points', () => {
  it('the package entry gives a working grad with no other import', async () => {
    const entry = await import('../src/index.ts');
    const r = entry.grad(entry.parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 });
    expect(r.gradient.x).toBeCloseTo(4 * Math.cos(3), 12);
    expect(entry.defaultSchedules.names()).toContain('forward');
    expect(entry.grad(entry.parse('x*y'), { x: 2, y: 3 }, { schedule: 'forward' }).gradient).toEqual({ x: 3, y: 2 });
  });

  it('the API modules work on their own: grad, verify and evaluate reach the built-in schedules', async () => {
    const { grad } = await import('../src/api/grad.ts');
    const { verify } = await import('../src/api/verify.ts');
    const { parse } = await import('../src/frontend/parse.ts');
    const program = parse('sin(x) * y');
    expect(grad(program, { x: 0, y: 2 }).gradient).toEqual({ x: 2, y: 0 });
    expect(verify(program, { x: 0.5, y: 2 }).ok).toBe(true);
  });
});
