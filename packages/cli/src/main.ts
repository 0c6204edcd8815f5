import { processIo } from './cli-io.js';
import { runCli } from './program.js';

// The binary's entry (see bin/floxide.js). Exit explicitly: a driver's idle socket must not keep it alive.
const code = await runCli(process.argv.slice(2), processIo());
process.exit(code);
