// What a command handler answers; the connection turns it into the tagged line (RFC 3501
// section 7.1: OK, NO for a failed operation, BAD for a syntax or protocol error).

export interface CommandResult {
  response: 'OK' | 'NO' | 'BAD';
  /** a response code without brackets: "TRYCREATE", "APPENDUID 1 3" */
  code?: string;
  message: string;
  /** run once the tagged line is written (the trace of a transfer includes it) */
  after?: (taggedLine: string) => void;
}

/** A handler's answer, or 'pending' when it will reply later (IDLE, AUTHENTICATE). */
export type HandlerResult = CommandResult | 'pending';

export const ok = (message: string, code?: string): CommandResult => ({ response: 'OK', message, code });
export const no = (message: string, code?: string): CommandResult => ({ response: 'NO', message, code });
export const bad = (message: string, code?: string): CommandResult => ({ response: 'BAD', message, code });
