export { StepTracing, type StepTracingOptions } from './step-tracing.js';
export { runSpanContext, runTraceContext } from './run-trace-context.js';
