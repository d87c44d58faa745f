import pino, { type Logger } from 'pino';

/**
 * The stand-ins' logger: pino JSON lines, every one saying `"test":true` and which stand-in
 * wrote it, so that nobody mistakes a stand-in's log for a real sidecar's.
 */
export function standInLogger(level = process.env['CSI_STANDINS_LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ level, base: { component: 'csi-standins', test: true } });
}

/** The child logger of one stand-in: `standIn` names the component it plays. */
export function standInLog(log: Logger, standIn: string): Logger {
  return log.child({ standIn });
}

export type { Logger };
