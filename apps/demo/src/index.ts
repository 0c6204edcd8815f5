export { runDemo, type DemoOptions } from './run-demo.js';
export { runDemoCli, type DemoIo } from './demo-cli.js';
export type { DemoReport, DemoRunResult } from './demo-report.js';
export {
  createPipelineWorkflow,
  DEFAULT_PIPELINE_OPTIONS,
  type PipelineOptions,
} from './pipeline-workflow.js';
export { sampleDocuments, type DemoDocument } from './documents.js';
export { expectedResult } from './text-analysis.js';
