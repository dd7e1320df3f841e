// The public API of the core. The package entry (solvers/index.ts) re-exports this with every
// built-in schedule registered.
export { LagradError } from './error.ts';
export type { Primitive, Rule, Domain } from './primitives/primitive.ts';
export { INPUT } from './primitives/primitive.ts';
export { primitives, registerPrimitive, PrimitiveRegistry } from './primitives/registry.ts';
export { builtinPrimitives } from './primitives/builtins.ts';
export { Program, type Constraint, type ProgramParts, type SourceMap } from './program/program.ts';
export { ProgramBuilder } from './program/builder.ts';
export { parse, parseProgram, parseExpressionText, type ParseOptions } from './frontend/parse.ts';
export { seed, objective } from './lagrangian/lagrangian.ts';
export { solvePrimal } from './lagrangian/primal.ts';
export { schedules, ScheduleTable, type Schedule, type Problem, type Solution, type SolveOptions, type Stats, type Workspace } from './schedule.ts';
export { evaluate, evaluateAll, type EvaluateOptions } from './api/evaluate.ts';
export { grad, GradResult, type GradOptions } from './api/grad.ts';
export { resolvePoint, resolveWeights, type Point } from './api/point.ts';
