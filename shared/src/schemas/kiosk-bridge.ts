import { z } from 'zod';
import { ErrorCodeSchema } from '../errors/catalogue.js';
import { KioskIntentSchema, KioskSnapshotSchema } from './kiosk-state.js';
import { MaintenanceRequestSchema, MaintenanceStateSchema } from './kiosk-maintenance.js';

/**
 * The typed bridge between the kiosk UI and the terminal agent: a WebSocket on 127.0.0.1 that carries
 * these messages as JSON text, and nothing else. The UI proves it was started by the kiosk shell with the
 * per-boot token in its first message (a browser cannot set headers on a WebSocket, and a token in the URL
 * would end up in logs). Both sides parse every message; anything unknown is dropped.
 */
export const bridgePath = '/bridge';
export const bridgeTokenBytesMin = 16;

export const BridgeClientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hello'), token: z.string().min(16).max(128) }),
  z.object({ type: z.literal('intent'), intent: KioskIntentSchema }),
  z.object({ type: z.literal('maintenance'), request: MaintenanceRequestSchema }),
]);
export type BridgeClientMessage = z.infer<typeof BridgeClientMessageSchema>;

export const BridgeServerMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), snapshot: KioskSnapshotSchema }),
  /** Sent only to the connection that asked for maintenance, never broadcast. */
  z.object({ type: z.literal('maintenance'), state: MaintenanceStateSchema }),
  /** Why the agent is about to close the connection (a bad token, a malformed message). */
  z.object({ type: z.literal('refused'), code: ErrorCodeSchema }),
]);
export type BridgeServerMessage = z.infer<typeof BridgeServerMessageSchema>;

/** Parses a raw frame from the wire; undefined when it is not a message of this side's schema. */
export function parseBridgeMessage<T>(schema: z.ZodType<T>, raw: unknown, bytesMax: number): T | undefined {
  if (typeof raw !== 'string' || raw.length > bytesMax) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
