import { readFile } from 'node:fs/promises';
import type { CliIo } from './cli-io.js';
import { CliUsageError } from './cli-error.js';
import { parseJsonOption } from './command-env.js';

/** Where `start` takes its input from: `--input <json>`, `--input -` (stdin) or `--input-file <path>`. */
export interface InputSource {
  readonly input?: string;
  readonly inputFile?: string;
}

/**
 * Reads and parses the run input. `--input -` reads stdin; `--input-file` reads a file relative to the
 * current directory. Without either the input is `null`. Errors name the source and the JSON position.
 */
export async function readInput(source: InputSource, io: CliIo): Promise<unknown> {
  if (source.input !== undefined && source.inputFile !== undefined) {
    throw new CliUsageError('give either --input or --input-file, not both');
  }
  if (source.inputFile !== undefined) {
    let text: string;
    try {
      text = await readFile(source.inputFile, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const reason =
        code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : String(code ?? error);
      throw new CliUsageError(`cannot read --input-file ${source.inputFile}: ${reason}`);
    }
    return parseJsonOption(text, `--input-file ${source.inputFile}`);
  }
  if (source.input === '-') {
    if (io.readStdin === undefined)
      throw new CliUsageError('--input -: this environment has no standard input');
    return parseJsonOption(await io.readStdin(), '--input - (stdin)');
  }
  return parseJsonOption(source.input ?? 'null', '--input');
}
