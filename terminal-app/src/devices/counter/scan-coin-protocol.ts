/**
 * The batch counter's RS-232 protocol, after the Scan Coin SC-350/360 "Computer Communication" chapter
 * (technical handbook 019722-101 ch. 12, per the reference notes):
 *
 *   host:  ESC c1 c2 [arg] chk      chk = (sum of every byte except ESC) AND 0xFF
 *   log on          ESC 'Q' 'F'     -> ACK (06) or NAK (15)
 *   read status     ESC 'R' 'S'     -> [status][chk]
 *   read count      ESC 'R' 'C'     -> [4 bytes, MSB first][chk]   total coins counted
 *   read rejects    ESC 'R' 'J'     -> [4 bytes][chk]
 *   read register   ESC 'R' 'D' n   -> [4 bytes][chk]   coins of denomination register n (SC-360 mixed)
 *   register id     ESC 'R' 'I' n   -> [6 ASCII][chk]   the denomination of register n, or NAK
 *
 * Reply checksums are the sum of the data bytes AND 0xFF. The handbook documents log on, count, status
 * and accumulator; the per-denomination register and id reads ('D', 'I') and the reject register ('J')
 * are this product's extension of the same frame for the mixed-coin SC-360, stated here so the simulator
 * and the driver cannot drift apart.
 */
export const ESC = 0x1b;
export const ACK = 0x06;
export const NAK = 0x15;

export const counterCommands = {
  logOn: 'QF',
  readStatus: 'RS',
  readCount: 'RC',
  readRejects: 'RJ',
  readRegister: 'RD',
  readRegisterId: 'RI',
} as const;

export type CounterCommand = (typeof counterCommands)[keyof typeof counterCommands];

/** Status bits. */
export const counterStatusBits = {
  counting: 0x01,
  batchDone: 0x02,
  doorOpen: 0x04,
  cleanMe: 0x08,
  rejectsPresent: 0x10,
} as const;

export const registerIdBytes = 6;
export const registersMax = 16;

export function checksum(bytes: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 1) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

export function encodeCommand(command: CounterCommand, arg?: number): Uint8Array {
  const body = [command.charCodeAt(0), command.charCodeAt(1), ...(arg === undefined ? [] : [arg])];
  return Uint8Array.from([ESC, ...body, checksum(body)]);
}

/** Bytes in the reply to `command`, checksum included (log on answers one byte, no checksum). */
export function replyBytes(command: CounterCommand): number {
  switch (command) {
    case counterCommands.logOn:
      return 1;
    case counterCommands.readStatus:
      return 2;
    case counterCommands.readRegisterId:
      return registerIdBytes + 1;
    default:
      return 5;
  }
}

export function encodeReply(data: ArrayLike<number>): Uint8Array {
  return Uint8Array.from([...Array.from(data), checksum(data)]);
}

export function encodeRegister(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

export type CounterReply =
  { ok: true; data: Uint8Array } | { ok: false; why: 'badChecksum' | 'nak' | 'badLength' };

/** Checks a reply of the expected length: data plus checksum, or a lone NAK. */
export function checkReply(reply: Uint8Array, expectedBytes: number): CounterReply {
  if (reply.length === 1 && reply[0] === NAK && expectedBytes !== 1) return { ok: false, why: 'nak' };
  if (reply.length !== expectedBytes) return { ok: false, why: 'badLength' };
  if (expectedBytes === 1) return reply[0] === ACK ? { ok: true, data: reply } : { ok: false, why: 'nak' };
  const data = reply.subarray(0, reply.length - 1);
  return checksum(data) === reply[reply.length - 1] ? { ok: true, data } : { ok: false, why: 'badChecksum' };
}

export function registerValue(data: Uint8Array): number {
  return (((data[0] ?? 0) << 24) >>> 0) + ((data[1] ?? 0) << 16) + ((data[2] ?? 0) << 8) + (data[3] ?? 0);
}
