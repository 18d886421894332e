/** EPP result codes (RFC 5730 §3) with their standard messages, and failures as plain data that can cross threads. */

export const RESULT_MESSAGES = {
  1000: 'Command completed successfully',
  1001: 'Command completed successfully; action pending',
  1300: 'Command completed successfully; no messages',
  1301: 'Command completed successfully; ack to dequeue',
  1500: 'Command completed successfully; ending session',
  2000: 'Unknown command',
  2001: 'Command syntax error',
  2002: 'Command use error',
  2003: 'Required parameter missing',
  2004: 'Parameter value range error',
  2005: 'Parameter value syntax error',
  2100: 'Unimplemented protocol version',
  2101: 'Unimplemented command',
  2102: 'Unimplemented option',
  2103: 'Unimplemented extension',
  2104: 'Billing failure',
  2105: 'Object is not eligible for renewal',
  2106: 'Object is not eligible for transfer',
  2200: 'Authentication error',
  2201: 'Authorization error',
  2202: 'Invalid authorization information',
  2300: 'Object pending transfer',
  2301: 'Object not pending transfer',
  2302: 'Object exists',
  2303: 'Object does not exist',
  2304: 'Object status prohibits operation',
  2305: 'Object association prohibits operation',
  2306: 'Parameter value policy error',
  2307: 'Unimplemented object service',
  2308: 'Data management policy violation',
  2400: 'Command failed',
  2500: 'Command failed; server closing connection',
  2501: 'Authentication error; server closing connection',
  2502: 'Session limit exceeded; server closing connection',
} as const;

export type ResultCode = keyof typeof RESULT_MESSAGES;
export type SuccessCode = Extract<ResultCode, 1000 | 1001 | 1300 | 1301 | 1500>;
export type FailureCode = Exclude<ResultCode, SuccessCode>;

export function messageFor(code: ResultCode): string {
  return RESULT_MESSAGES[code];
}

/** The server closes the connection after sending these (RFC 5730 §3: 25xx). */
export function closesSession(code: number): boolean {
  return code >= 2500 || code === 1500;
}

/**
 * What a `<value>`/`<extValue>` points at (RFC 5730 §2.6): the offending element, by namespace
 * and local name, with its text or the offending attribute, and a human reason.
 */
export interface ErrValue {
  element?: { ns: string; local: string; text?: string; attrs?: Record<string, string> };
  reason?: string;
}

/** A failed result as data: it crosses worker threads and processes, unlike an Error subclass. */
export interface Failure {
  code: FailureCode;
  msg: string;
  values?: ErrValue[];
}

export function failure(code: FailureCode, values?: ErrValue[], msg: string = messageFor(code)): Failure {
  return values ? { code, msg, values } : { code, msg };
}
