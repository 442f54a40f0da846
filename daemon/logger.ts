import { printableText } from '../src/index.js';

/** One line per event: text for people (colour only on a terminal), or JSON for log shippers. journald adds the time. */
export type LogFormat = 'text' | 'json';

export interface LogFields {
  readonly [name: string]: string | number | boolean | undefined;
}

export interface Logger {
  info(event: string, message: string, fields?: LogFields): void;
  warn(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

const COLOURS = { info: '', warn: '\x1b[33m', error: '\x1b[31m' } as const;

/**
 * Log lines name files and problems by their message; callers never pass values. A text line is
 * escaped (printableText): a file name cannot forge a line or drive the terminal. JSON escapes itself.
 */
export function createLogger(format: LogFormat, out: NodeJS.WritableStream, err: NodeJS.WritableStream, colour: boolean): Logger {
  const write = (level: 'info' | 'warn' | 'error', event: string, message: string, fields: LogFields = {}) => {
    const stream = level === 'info' ? out : err;
    if (format === 'json') {
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, event, message, ...fields })}\n`);
      return;
    }
    const text = `${level === 'info' ? '' : `${level}: `}${printableText(message)}`;
    stream.write(colour && COLOURS[level] ? `${COLOURS[level]}${text}\x1b[0m\n` : `${text}\n`);
  };
  return {
    info: (event, message, fields) => write('info', event, message, fields),
    warn: (event, message, fields) => write('warn', event, message, fields),
    error: (event, message, fields) => write('error', event, message, fields),
  };
}
