// The `lagrad/core` entry, for bundles: re-exports only. The API of the package root with schedules
// passed as objects (`grad(program, at, { schedule: reverse })`) instead of looked up by name in a
// table of every built-in schedule, so that a bundler keeps only the schedules a caller imports.
// Defaults need no import: auto (reverse) for grad, a forward sweep for jvp, by shape for jacobian.

// ── errors ────────────────────────────────────────────────────────────────────────────────────
export { LagradError, UsageError, OptionError, InternalError } from './error.ts';

// ── the representation and the primitives ─────────────────────────────────────────────────────
export { Program, fromJSON, type Constraint } from './program/program.ts';
export type { ProgramParts, SourceMap } from './program/parts.ts';
export { toJSON, type ProgramJSON } from './program/json.ts';
export { ProgramBuilder } from './program/builder.ts';
export { unroll } from './program/unroll.ts';
export type {
  Primitive,
  Rule,
  Domain,
  BlockPrimitive,
  AnyPrimitive,
  BlockRules,
  BlockSite,
  Block,
} from './primitives/primitive.ts';
export { type Shape, formatShape } from './program/shape.ts';
export { primitives, registerPrimitive, PrimitiveRegistry } from './primitives/registry.ts';
export { useInterpreter, codeGenerationAllowed } from './primitives/codegen.ts';

// ── front-ends ────────────────────────────────────────────────────────────────────────────────
export { parse, parseProgram, parseExpressionText, declaresInputOrder, type ParseOptions } from './frontend/parse.ts';
export { trace, Var, type Operand, type Traced, type TraceInput } from './frontend/trace.ts';
export * as ops from './frontend/ops.ts';

// ── schedules, one by one ─────────────────────────────────────────────────────────────────────
// Named exports, not a namespace: esbuild and Rollup drop the unused ones only so (a re-exported
// namespace object keeps every member). Alias one that collides: `import { forward as fwd }`.
export {
  ScheduleTable,
  type Schedule,
  type Problem,
  type Solution,
  type SolveOptions,
  type Workspace,
} from './schedule/schedule.ts';
export { auto } from '../solvers/auto.ts';
export { reverse } from '../solvers/reverse.ts';
export { compiled } from '../solvers/compiled.ts';
export { forward } from '../solvers/forward.ts';
export { dense } from '../solvers/dense.ts';
export { paths } from '../solvers/paths.ts';
export { fd } from '../solvers/fd.ts';
export { iterative } from '../solvers/iterative/iterative.ts';
export { dual } from '../solvers/dual.ts';
export { checkpoint } from '../solvers/checkpoint/checkpoint.ts';
export type { Stats } from './lagrangian/stats.ts';

// ── the API ───────────────────────────────────────────────────────────────────────────────────
export { evaluate, evaluateAll, type EvaluateOptions } from './api/evaluate.ts';
export { withInit } from './api/withInit.ts';
export { GradResult, type GradOptions, type Values } from './api/grad.ts';
export { grad, valueAndGrad, jvp, vjp, jacobian } from './api/lean.ts';
export type { ValueAndGrad } from './api/valueAndGrad.ts';
export type { JvpOptions, JvpResult } from './api/jvp.ts';
export type { Cotangent } from './api/vjp.ts';
export type { JacobianOptions, JacobianResult } from './api/jacobian.ts';
export type { Point, ByName, Weights } from './api/point.ts';
export { valueIn, type Value, type BlockValue } from './api/blocks.ts';
export { checkpointGrad, type CheckpointGradOptions } from './api/checkpointGrad.ts';
