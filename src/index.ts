// The public API of the core. The package entry (solvers/index.ts) re-exports this with every
// built-in schedule registered.
export { LagradError } from './error.ts';
export type { Primitive, Rule, Domain } from './primitives/primitive.ts';
export { INPUT } from './primitives/primitive.ts';
export { primitives, registerPrimitive, PrimitiveRegistry } from './primitives/registry.ts';
export { builtinPrimitives } from './primitives/builtins.ts';
export { Program, type Constraint, type ProgramParts, type SourceMap } from './program/program.ts';
export { ProgramBuilder } from './program/builder.ts';
export { unroll } from './program/unroll.ts';
export { toJSON, fromJSON, type ProgramJSON } from './program/json.ts';
export { trace, Var, call, add, sub, mul, div, pow, neg, square, sqrt, exp, log, sin, cos, tan, tanh, sigmoid, relu, abs, max, min, sum, type Operand, type Traced } from './frontend/trace.ts';
export { parse, parseProgram, parseExpressionText, type ParseOptions } from './frontend/parse.ts';
export { seed, objective } from './lagrangian/lagrangian.ts';
export { solvePrimal, type PrimalOptions, type PrimalMethod } from './lagrangian/primal.ts';
export { type Convergence, type IterationSettings, DEFAULT_TOLERANCE, DEFAULT_MAX_ITERATIONS } from './lagrangian/convergence.ts';
export { localPartials, primalResiduals, dualResiduals, partialsProduct, partialsTransposeProduct, absoluteAdjoint } from './lagrangian/kkt.ts';
export { schedules, ScheduleTable, type Schedule, type Problem, type Solution, type SolveOptions, type Stats, type Workspace } from './schedule.ts';
export { checkpointPlanners, PlannerTable, type CheckpointPlanner, type CheckpointCosts } from './checkpoint.ts';
export { evaluate, evaluateAll, type EvaluateOptions } from './api/evaluate.ts';
export { grad, GradResult, type GradOptions } from './api/grad.ts';
export { resolvePoint, resolveWeights, type Point } from './api/point.ts';
export { verify, certify, DEFAULT_TOLERANCES, VERIFY_SCHEDULES, type VerifyOptions, type VerifyReport, type ScheduleRun, type Check, type Certificate, type Tolerances } from './api/verify.ts';
