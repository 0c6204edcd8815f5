export { runCli, createProgram } from './program.js';
export type { CliIo } from './cli-io.js';
export { processIo } from './cli-io.js';
export { CliUsageError, formatCliError, redactSecrets } from './cli-error.js';
export { resolveBackendSettings, type BackendSettings, type BackendKind } from './backend-settings.js';
export { openBackend, createBackend } from './backend-factory.js';
export { loadWorkflow, loadWorkflows, isWorkflow } from './workflow-loader.js';
