import type { ErrorCode } from '@cashin/shared';

/**
 * The server's refusals that are about this terminal, not about a shopper or a deposit: ops disabled it,
 * the server does not know it, or its key was revoked as lost. While one stands, nothing the kiosk takes can
 * be synced (every sync is refused the same way) and an offline receipt's QR is not redeemed either, so the
 * kiosk takes no money at all until a heartbeat says the terminal is enabled again.
 */
export const terminalRefusalCodes = [
  'TERMINAL_DISABLED',
  'TERMINAL_UNKNOWN',
  'TERMINAL_KEY_REVOKED',
] as const satisfies readonly ErrorCode[];

export type TerminalRefusalCode = (typeof terminalRefusalCodes)[number];

export function isTerminalRefusal(code: ErrorCode | null | undefined): code is TerminalRefusalCode {
  return terminalRefusalCodes.some((refusal) => refusal === code);
}
