/**
 * Structured logger used by the engine and handed to nodes as `ctx.logger`.
 *
 * @remarks
 * Any logger with these four methods fits (pino and winston child loggers do after a thin adapter).
 * Fields are plain data; never put secrets in them.
 *
 * @example
 * ```ts
 * const logger: Logger = consoleLogger;
 * logger.info('step done', { node: 'charge' });
 * ```
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const noop = (): void => undefined;

/** A logger that discards everything (the default). */
export const noopLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** A logger writing one line per message to the console, fields as JSON. */
export const consoleLogger: Logger = {
  debug: (message, fields) => console.debug(format('debug', message, fields)),
  info: (message, fields) => console.info(format('info', message, fields)),
  warn: (message, fields) => console.warn(format('warn', message, fields)),
  error: (message, fields) => console.error(format('error', message, fields)),
};

function format(level: string, message: string, fields: Record<string, unknown> | undefined): string {
  if (fields === undefined) return `[floxide] ${level} ${message}`;
  let text: string;
  try {
    text = JSON.stringify(fields);
  } catch {
    text = '{unserialisable fields}';
  }
  return `[floxide] ${level} ${message} ${text}`;
}
