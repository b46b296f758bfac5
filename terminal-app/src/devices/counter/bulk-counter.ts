import type { Duplex } from 'node:stream';
import type {
  Clock,
  CurrencyCode,
  Denomination,
  DeviceDiagnostics,
  DeviceStatus,
  SystemLimits,
} from '@cashin/shared';
import { denominationForCcTalkId } from '@cashin/shared';
import { DeviceStartError } from '../common/driver.js';
import { DriverScaffold } from '../common/driver-scaffold.js';
import type { PollLoop } from '../common/poll-loop.js';
import { crashingPollLoop } from '../common/poll-loop.js';
import { CounterLink } from './counter-link.js';
import { counterCommands, counterStatusBits, registerValue, registersMax } from './scan-coin-protocol.js';

export interface BulkCounterOptions {
  readonly name: string;
  readonly currency: CurrencyCode;
  readonly stream: Duplex;
  readonly clock: Clock;
  readonly limits: SystemLimits;
}

/** The largest plausible change of one register between two reads (6,000 coins/min for a minute). */
const registerDeltaMax = 6_000;

/**
 * A Scan Coin SC-350/360 style batch counter (the pour-in kiosk). It logs on, learns which denomination
 * each count register holds, then reads the registers and the status every `bulkCounterPollIntervalMs`.
 * The registers only grow, so the driver reports what grew since its last read: a `credit` per
 * denomination with `count` coins, a `reject` with the reject count. Nothing counts twice, because the
 * baseline moves only once a delta has been reported. A register that went down means the counter was
 * reset: that is a `reset` event and the new values count from zero.
 */
export class BulkCounter extends DriverScaffold {
  readonly kind = 'bulkCounter' as const;
  private readonly link: CounterLink;
  private readonly loop: PollLoop;
  private readonly registers = new Map<number, Denomination>();
  private readonly last = new Map<number, number>();
  private lastRejects = 0;
  private statusByte = 0;

  constructor(private readonly options: BulkCounterOptions) {
    super(options.name, options.limits);
    this.link = new CounterLink(options.stream, options.clock, options.limits.bulkCounterReplyTimeoutMs);
    this.loop = crashingPollLoop(options.clock, options.limits.bulkCounterPollIntervalMs, () => this.poll());
  }

  get registerTable(): ReadonlyMap<number, Denomination> {
    return this.registers;
  }

  async start(): Promise<void> {
    const logOn = await this.link.request(counterCommands.logOn);
    if (!logOn.ok) throw new DeviceStartError(this.name, `log on failed (${logOn.why})`);
    for (let register = 0; register < registersMax; register += 1) {
      const id = await this.link.request(counterCommands.readRegisterId, register);
      if (!id.ok) break;
      const denomination = denominationForCcTalkId(Buffer.from(id.data).toString('latin1'));
      if (denomination && denomination.currency === this.options.currency && denomination.kind === 'coin') {
        this.registers.set(register, denomination);
      }
    }
    if (this.registers.size === 0) throw new DeviceStartError(this.name, 'no denomination registers');
    const baseline = await this.readAll();
    if (!baseline) throw new DeviceStartError(this.name, 'registers unreadable');
    for (const [register, value] of baseline.values) this.last.set(register, value);
    this.lastRejects = baseline.rejects;
    this.emit({ device: this.name, type: 'connected' });
    this.loop.start();
  }

  replaceStream(stream: Duplex): void {
    this.link.replaceStream(stream);
  }

  override status(): DeviceStatus {
    const s = this.statusByte;
    const detail = [
      s & counterStatusBits.counting ? 'counting' : 'idle',
      s & counterStatusBits.batchDone ? 'batch done' : '',
      s & counterStatusBits.cleanMe ? 'needs cleaning' : '',
    ]
      .filter(Boolean)
      .join(', ');
    return this.statusNow(false, detail);
  }

  async selfTest(): Promise<DeviceDiagnostics> {
    const status = await this.link.request(counterCommands.readStatus);
    return {
      device: this.name,
      kind: this.kind,
      channels: [...this.registers].map(([channel, d]) => ({
        channel,
        ccTalkId: d.ccTalkId,
        valueMinor: d.valueMinor,
      })),
      ok: status.ok && ((status.data[0] ?? 0) & counterStatusBits.doorOpen) === 0,
      detail: status.ok ? `status 0x${(status.data[0] ?? 0).toString(16)}` : `no status (${status.why})`,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.loop.stop();
    this.link.close();
    this.finishClose();
  }

  private async readAll(): Promise<{ values: Map<number, number>; rejects: number } | undefined> {
    const values = new Map<number, number>();
    for (const register of this.registers.keys()) {
      const reply = await this.link.request(counterCommands.readRegister, register);
      if (!reply.ok) return undefined;
      values.set(register, registerValue(reply.data));
    }
    const rejects = await this.link.request(counterCommands.readRejects);
    if (!rejects.ok) return undefined;
    return { values, rejects: registerValue(rejects.data) };
  }

  private async poll(): Promise<void> {
    let status = await this.link.request(counterCommands.readStatus);
    if (!status.ok && status.why === 'nak') {
      // A counter that lost power forgets the log-on and refuses everything until it is repeated.
      const logOn = await this.link.request(counterCommands.logOn);
      if (logOn.ok) status = await this.link.request(counterCommands.readStatus);
    }
    const read = status.ok ? await this.readAll() : undefined;
    if (!status.ok || !read) {
      this.faults.raise('protocolError', status.ok ? 'registers unreadable' : `no status (${status.why})`);
      return;
    }
    this.faults.clear('protocolError');
    this.statusByte = status.data[0] ?? 0;
    if (this.statusByte & counterStatusBits.doorOpen) this.faults.raise('doorOpen');
    else this.faults.clear('doorOpen');

    const wentDown =
      [...read.values].some(([register, value]) => value < (this.last.get(register) ?? 0)) ||
      read.rejects < this.lastRejects;
    if (wentDown) {
      this.emit({ device: this.name, type: 'reset' });
      for (const register of this.last.keys()) this.last.set(register, 0);
      this.lastRejects = 0;
    }
    for (const [register, value] of read.values) {
      const denomination = this.registers.get(register);
      const delta = value - (this.last.get(register) ?? 0);
      if (!denomination || delta <= 0) continue;
      if (delta > registerDeltaMax) {
        // Not a count a machine can make in one read interval: a corrupted register. Keep the baseline
        // and say so, rather than credit a fortune.
        this.emit({
          device: this.name,
          type: 'fault',
          fault: 'protocolError',
          detail: `register ${register} +${delta}`,
        });
        continue;
      }
      this.last.set(register, value);
      this.emit({
        device: this.name,
        type: 'credit',
        kind: 'coin',
        ccTalkId: denomination.ccTalkId,
        currency: denomination.currency,
        valueMinor: denomination.valueMinor,
        count: delta,
      });
    }
    const rejected = read.rejects - this.lastRejects;
    if (rejected > 0) {
      this.lastRejects = read.rejects;
      this.emit({ device: this.name, type: 'reject', reason: 'rejected', count: rejected });
    }
  }
}
