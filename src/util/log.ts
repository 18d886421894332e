/** Structured JSON logging (pino) to the log file and, when configured, to stdout. */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';
import type { RegistryConfig } from '../config.js';

export type { Logger };

export function createLogger(cfg: Pick<RegistryConfig, 'log'>, bindings: Record<string, unknown>): Logger {
  mkdirSync(dirname(cfg.log.file), { recursive: true });
  const streams: pino.StreamEntry[] = [{ level: cfg.log.level, stream: pino.destination({ dest: cfg.log.file, append: true, sync: false }) }];
  if (cfg.log.stdout) streams.push({ level: cfg.log.level, stream: pino.destination({ dest: 1, sync: false }) });
  return pino({ level: cfg.log.level, base: { pid: process.pid, ...bindings }, timestamp: pino.stdTimeFunctions.isoTime }, pino.multistream(streams));
}
