/**
 * Checked parsers for ccTalk reply data. A reply of the wrong shape is something a real bus produces
 * (a confused device, a clashing address), so it becomes a coded `CcTalkProtocolError` value, never a
 * thrown TypeError from reading past the end.
 */
export type CcTalkProtocolErrorCode = 'badLength' | 'badValue';

export interface CcTalkProtocolError {
  readonly code: CcTalkProtocolErrorCode;
  readonly what: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: CcTalkProtocolError };

function fail<T>(code: CcTalkProtocolErrorCode, what: string): Parsed<T> {
  return { ok: false, error: { code, what } };
}

/** One (A, B) pair of a buffered event reply (229 coins, 159 bills). */
export interface BufferedEventPair {
  readonly a: number;
  readonly b: number;
}

export interface BufferedEvents {
  readonly counter: number;
  /** Newest first, as on the wire. */
  readonly pairs: readonly BufferedEventPair[];
}

/** 229 / 159: `[counter][1A][1B]...[5A][5B]`, pair 1 the newest. */
export function parseBufferedEvents(data: Uint8Array, pairCount: number): Parsed<BufferedEvents> {
  if (data.length !== 1 + pairCount * 2) {
    return fail('badLength', `buffered events: ${data.length} bytes, expected ${1 + pairCount * 2}`);
  }
  const pairs: BufferedEventPair[] = [];
  for (let i = 0; i < pairCount; i += 1) pairs.push({ a: data[1 + i * 2] ?? 0, b: data[2 + i * 2] ?? 0 });
  return { ok: true, value: { counter: data[0] ?? 0, pairs } };
}

/** Printable ASCII replies (246, 245, 244, 241, 184, 157), trimmed of the padding devices use. */
export function parseAscii(data: Uint8Array, lengthMax = 32): Parsed<string> {
  if (data.length === 0 || data.length > lengthMax) {
    return fail('badLength', `ascii: ${data.length} bytes`);
  }
  for (const byte of data) {
    if (byte < 0x20 || byte > 0x7e) return fail('badValue', `ascii: byte ${byte} is not printable`);
  }
  return { ok: true, value: String.fromCharCode(...data).trim() };
}

/** 242: three bytes, least significant first. */
export function parseSerialNumber(data: Uint8Array): Parsed<number> {
  if (data.length !== 3) return fail('badLength', `serial number: ${data.length} bytes, expected 3`);
  return { ok: true, value: (data[0] ?? 0) + (data[1] ?? 0) * 256 + (data[2] ?? 0) * 65_536 };
}

/** 232: a fault code (0 = OK) and an optional extra byte. */
export function parseSelfCheck(data: Uint8Array): Parsed<{ faultCode: number; extra?: number }> {
  if (data.length < 1 || data.length > 2) return fail('badLength', `self-check: ${data.length} bytes`);
  const faultCode = data[0] ?? 0;
  return { ok: true, value: data.length === 2 ? { faultCode, extra: data[1] ?? 0 } : { faultCode } };
}

/** Replies that must carry no data (ACKs to 231, 228, 154 ...). */
export function parseEmpty(data: Uint8Array): Parsed<null> {
  if (data.length !== 0) return fail('badLength', `expected an empty ACK, got ${data.length} bytes`);
  return { ok: true, value: null };
}

/** 157: a bill id ("US0020A"), 7 ASCII characters. */
export function parseBillId(data: Uint8Array): Parsed<string> {
  return parseAscii(data, 7);
}

/** 184: a coin id ("US025A"), 6 ASCII characters; unused channels are padded with dots or spaces. */
export function parseCoinId(data: Uint8Array): Parsed<string> {
  if (data.length !== 6) return fail('badLength', `coin id: ${data.length} bytes, expected 6`);
  return parseAscii(data, 6);
}
