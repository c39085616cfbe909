// Structured JSON logs (pino). Identifiers never reach a log line: decisions are logged by
// their ids and codes only, and the redaction below guards against a stray request body.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'credit-decision-engine', pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['identifiers', '*.identifiers', 'body', '*.body', 'req.body'], censor: '[redacted]' },
    },
    destination,
  );
}
