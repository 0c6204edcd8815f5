import type { Logger } from './logger.js';

/** One level method of a pino logger: fields first, message second. */
export type PinoLogFn = (fields: object, message: string) => void;

/** The part of a pino (or pino-compatible, e.g. Fastify's `request.log`) logger that {@link pinoLogger} uses. */
export interface PinoLike {
  debug: PinoLogFn;
  info: PinoLogFn;
  warn: PinoLogFn;
  error: PinoLogFn;
}

/**
 * Adapts a pino logger to Floxide's {@link Logger}: pino takes `(fields, message)` where Floxide passes
 * `(message, fields)`, so handing pino over directly would lose the fields.
 *
 * @remarks `console` needs no adapter: it fits {@link Logger} as it is.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * const worker = new DistributedWorker({ backend, workflows: [wf], logger: pinoLogger(pino()) });
 * ```
 */
export function pinoLogger(pino: PinoLike): Logger {
  return {
    debug: (message, fields) => pino.debug(fields ?? {}, message),
    info: (message, fields) => pino.info(fields ?? {}, message),
    warn: (message, fields) => pino.warn(fields ?? {}, message),
    error: (message, fields) => pino.error(fields ?? {}, message),
  };
}
