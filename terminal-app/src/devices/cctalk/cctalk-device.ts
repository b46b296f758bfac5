import type { Duplex } from 'node:stream';
import type { Clock, DeviceEvent, SystemLimits } from '@cashin/shared';
import type { ChecksumMode } from './checksum.js';
import type { CcTalkRequestOptions, CcTalkResult } from './host.js';
import { CcTalkHost } from './host.js';
import { ccTalkHeaders } from './headers.js';
import type { Parsed } from './parsers.js';
import { parseAscii, parseSerialNumber } from './parsers.js';

/**
 * How many times identification asks for the serial number (242), each ask already retried by the host on
 * a timeout: a device that does not say who it is after that is reported as unconfirmed, never as new.
 */
export const serialReadAttemptsMax = 3;

/** What a ccTalk device says about itself (246, 245, 244, 242, 241). */
export interface CcTalkIdentity {
  manufacturer?: string;
  category?: string;
  product?: string;
  serialNumber?: string;
  softwareRevision?: string;
}

export type CcTalkReplyError =
  { kind: 'noReply'; failure: 'timeout' | 'nak' | 'busy' | 'closed' } | { kind: 'protocol'; what: string };

export type CcTalkReply<T> = { ok: true; value: T } | { ok: false; error: CcTalkReplyError };

export interface CcTalkDeviceOptions {
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
  readonly address: number;
  readonly mode: ChecksumMode;
}

/**
 * One slave on a ccTalk bus as the drivers see it: typed requests with checked replies over a host that
 * can be moved to a new stream when the port reconnects. Coin and bill drivers build on it.
 */
export class CcTalkDevice {
  private host: CcTalkHost;

  constructor(private readonly options: CcTalkDeviceOptions) {
    this.host = this.makeHost(options.stream);
  }

  get echoDetected(): boolean | undefined {
    return this.host.echoDetected;
  }

  get counters(): { host: CcTalkHost['counters']; framer: CcTalkHost['framerCounters'] } {
    return { host: this.host.counters, framer: this.host.framerCounters };
  }

  /** After a reconnect: the same device, a new byte pipe. */
  replaceStream(stream: Duplex): void {
    this.host.close();
    this.host = this.makeHost(stream);
  }

  close(): void {
    this.host.close();
  }

  raw(header: number, data: ArrayLike<number> = [], options?: CcTalkRequestOptions): Promise<CcTalkResult> {
    return this.host.request(this.options.address, header, data, options);
  }

  /** Sends `header` and runs the checked parser over the reply. */
  async ask<T>(
    header: number,
    data: ArrayLike<number>,
    parse: (data: Uint8Array) => Parsed<T>,
    options?: CcTalkRequestOptions,
  ): Promise<CcTalkReply<T>> {
    const result = await this.raw(header, data, { ...options, accept: (reply) => parse(reply).ok });
    if (!result.ok) return { ok: false, error: { kind: 'noReply', failure: result.failure } };
    const parsed = parse(result.data);
    if (!parsed.ok) return { ok: false, error: { kind: 'protocol', what: parsed.error.what } };
    return parsed;
  }

  async identify(): Promise<CcTalkIdentity> {
    const identity: CcTalkIdentity = {};
    const ascii = async (header: number): Promise<string | undefined> => {
      const reply = await this.ask(header, [], (d) => parseAscii(d));
      return reply.ok ? reply.value : undefined;
    };
    const manufacturer = await ascii(ccTalkHeaders.requestManufacturerId);
    if (manufacturer !== undefined) identity.manufacturer = manufacturer;
    const category = await ascii(ccTalkHeaders.requestEquipmentCategory);
    if (category !== undefined) identity.category = category;
    const product = await ascii(ccTalkHeaders.requestProductCode);
    if (product !== undefined) identity.product = product;
    // The serial number decides whether the journal's event counter is this device's, so a read that
    // failed (a NAK, a garbled reply, or every retry of the host timed out) is asked again.
    for (
      let attempt = 0;
      attempt < serialReadAttemptsMax && identity.serialNumber === undefined;
      attempt += 1
    ) {
      const serial = await this.ask(ccTalkHeaders.requestSerialNumber, [], parseSerialNumber);
      if (serial.ok) identity.serialNumber = String(serial.value);
    }
    const revision = await ascii(ccTalkHeaders.requestSoftwareRevision);
    if (revision !== undefined) identity.softwareRevision = revision;
    return identity;
  }

  private makeHost(stream: Duplex): CcTalkHost {
    const l = this.options.limits;
    return new CcTalkHost(stream, {
      mode: this.options.mode,
      clock: this.options.clock,
      replyTimeoutMs: l.ccTalkReplyTimeoutMs,
      retriesMax: l.ccTalkRetriesMax,
      interByteTimeoutMs: l.ccTalkInterByteTimeoutMs,
      frameBytesMax: l.ccTalkFrameBytesMax,
    });
  }
}

export function describeReplyError(error: CcTalkReplyError): string {
  return error.kind === 'noReply' ? `no reply (${error.failure})` : `protocol error: ${error.what}`;
}

/** A little helper so drivers build events without repeating the device name. */
export type Emit = (event: DeviceEvent) => void;
