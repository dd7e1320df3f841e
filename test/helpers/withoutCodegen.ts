// Run as a child process by test/kernels.test.ts under `node --disallow-code-generation-from-strings
// --import tsx`: the lecture gradient and a user primitive through the interpreted sweeps, printed as
// one JSON line. Not a test file itself.
import { grad, LagradError, parse, registerPrimitive } from '../../src/index.ts';
import { codeGenerationAllowed, interpreting } from '../../src/primitives/codegen.ts';

const lecture = grad(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 });
const forward = grad(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 }, { schedule: 'forward' });
const compiled = grad(parse('z + sin(x^2 + y*exp(z))'), { x: 2, y: -1, z: 0 }, { schedule: 'compiled' });
registerPrimitive({
  name: 'softplus',
  arity: 1,
  value: 'Math.log1p(Math.exp(a))',
  partials: ['1 / (1 + Math.exp(-a))'],
});
registerPrimitive({ name: 'cube', arity: 1, value: (a) => a * a * a, partials: [(a) => 3 * a * a] });
const user = grad(parse('softplus(2 * x) + cube(x)'), { x: 0.3 });
let refused = '';
try {
  registerPrimitive({ name: 'global', arity: 1, value: 'globalThis.x', partials: ['1'] });
} catch (e) {
  refused = e instanceof LagradError ? e.message : `not a LagradError: ${String(e)}`;
}
console.log(
  JSON.stringify({
    codeGenerationAllowed: codeGenerationAllowed(),
    interpreting: interpreting(),
    value: lecture.value,
    gradient: lecture.gradient,
    forward: forward.gradient,
    compiled: { schedule: compiled.schedule, gradient: compiled.gradient },
    user: user.gradient.x,
    refused,
  }),
);
