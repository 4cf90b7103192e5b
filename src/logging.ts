import pino, { type Logger } from 'pino';

/** The process logger: JSON lines on stdout; credentials in URLs and tokens redacted. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: ['*.password', '*.token', 'headers.authorization', 'req.headers.authorization'], censor: '***' },
  });
}
