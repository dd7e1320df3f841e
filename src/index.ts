// The package entry: re-exports only. Every name here works on import, with the built-in
// schedules as the default table of `grad`, `verify` and the CLI (nothing registers by side effect).
// Everyday words are grouped: the trace operations under `ops` (also `lagrad/ops`), the schedule
// objects under `schedules`. For bundles, `lagrad/core` (src/core.ts) is the same API without the
// table of schedule names, so that a bundle holds only the schedules it imports.

// ── errors ────────────────────────────────────────────────────────────────────────────────────
export { LagradError, UsageError, OptionError, InternalError, EXIT_INTERNAL } from './error.ts';

// ── the representation ────────────────────────────────────────────────────────────────────────
export { Program, fromJSON, type Constraint } from './program/program.ts';
export type { ProgramParts, SourceMap } from './program/parts.ts';
export { toJSON, type ProgramJSON } from './program/json.ts';
export { ProgramBuilder } from './program/builder.ts';
export { Layout } from './program/layout.ts';
export { type Shape, SCALAR, formatShape } from './program/shape.ts';
export { unroll } from './program/unroll.ts';

// ── primitives ────────────────────────────────────────────────────────────────────────────────
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
export { INPUT } from './primitives/primitive.ts';
export { primitives, registerPrimitive, PrimitiveRegistry } from './primitives/registry.ts';
export { builtinPrimitives } from './primitives/builtins.ts';
export { blockPrimitives } from './primitives/blocks/library.ts';
export { sweepsOf, bindSweeps, type Sweeps, type ProgramArrays } from './primitives/sweeps.ts';
export { kernelSource, type KernelSourceOptions } from './primitives/printKernels.ts';
export { SWEEP_KINDS, type SweepKind } from './primitives/sweepSource.ts';
export { useInterpreter, codeGenerationAllowed } from './primitives/codegen.ts';

// ── front-ends ────────────────────────────────────────────────────────────────────────────────
export { parse, parseProgram, parseExpressionText, declaresInputOrder, type ParseOptions } from './frontend/parse.ts';
export { trace, Var, type Operand, type Traced, type TraceInput } from './frontend/trace.ts';
export * as ops from './frontend/ops.ts';

// ── the Lagrangian ────────────────────────────────────────────────────────────────────────────
export { solvePrimal, type PrimalOptions, type PrimalMethod } from './lagrangian/primal.ts';
export {
  type Convergence,
  type IterationSettings,
  DEFAULT_TOLERANCE,
  DEFAULT_MAX_ITERATIONS,
} from './lagrangian/convergence.ts';
export {
  localPartials,
  primalResiduals,
  dualResiduals,
  partialsProduct,
  partialsTransposeProduct,
  absoluteAdjoint,
} from './lagrangian/kkt.ts';
export type { Stats } from './lagrangian/stats.ts';
export type { Derivation } from './lagrangian/provenance.ts';

// ── schedules ─────────────────────────────────────────────────────────────────────────────────
export {
  ScheduleTable,
  checked,
  type Schedule,
  type Problem,
  type Solution,
  type SolveOptions,
  type ScheduleOptions,
  type Workspace,
} from './schedule/schedule.ts';
export {
  numberSetting,
  integerSetting,
  enumSetting,
  booleanSetting,
  readSettings,
  flagOf,
  type Setting,
  type SettingValue,
  type SettingValues,
  type GivenSettings,
} from './schedule/settings.ts';
export type { BuiltinSettings } from '../solvers/schedules.ts';
export * as schedules from '../solvers/schedules.ts';
export { defaultSchedules } from '../solvers/schedules.ts';
export { checkpointGrad, type CheckpointGradOptions } from './api/checkpointGrad.ts';

// ── the API ───────────────────────────────────────────────────────────────────────────────────
export { evaluate, evaluateAll, type EvaluateOptions } from './api/evaluate.ts';
export { withInit } from './api/withInit.ts';
export { grad, GradResult, type GradOptions, type Values } from './api/grad.ts';
export { valueAndGrad, type ValueAndGrad } from './api/valueAndGrad.ts';
export { jvp, type JvpOptions, type JvpResult } from './api/jvp.ts';
export { vjp, type Cotangent } from './api/vjp.ts';
export { jacobian, type JacobianOptions, type JacobianResult } from './api/jacobian.ts';
export { toDot, type GraphOptions } from './api/graph.ts';
export { resolvePoint, resolveWeights, type Point, type ByName, type Weights } from './api/point.ts';
export { valueIn, type Value, type BlockValue } from './api/blocks.ts';
export {
  verify,
  certify,
  DEFAULT_TOLERANCES,
  VERIFY_SCHEDULES,
  type VerifyOptions,
  type VerifyReport,
  type ScheduleRun,
  type Check,
  type Certificate,
  type Tolerances,
} from './api/verify.ts';
