import type {
  Clock,
  CurrencyCode,
  DeviceDiagnostics,
  DeviceStatus,
  ErrorCode,
  MaintenanceRequest,
  MaintenanceResult,
  MaintenanceState,
} from '@cashin/shared';
import { checkTechnicianPin } from './technician-pin.js';

/**
 * Maintenance mode for field techs, behind the technician PIN. Each bridge connection unlocks on its own
 * (the kiosk window being unlocked does not unlock a second connection), locks again after a quiet spell,
 * and wrong PINs lock everyone out for a while: the PIN is short, so guessing must be slow.
 */
export interface MaintenanceSources {
  terminalId(): string | null;
  softwareVersion: string;
  currency: CurrencyCode;
  deviceStatuses(): DeviceStatus[];
  diagnostics(): Promise<DeviceDiagnostics[]>;
  selfTest(device: string): Promise<{ ok: boolean; summary: string }>;
  testPrint(): Promise<{ ok: boolean; summary: string }>;
  outboxStatus(): MaintenanceState['outbox'];
  syncStatus(): MaintenanceState['sync'];
  syncNow(): Promise<{ ok: boolean; summary: string }>;
  bag(): MaintenanceState['bag'];
  collect(): Promise<{ ok: boolean; summary: string }>;
  reprintLast(): Promise<{ ok: boolean; code: ErrorCode | null; summary: string }>;
  /** Reprints one committed deposit's receipt; NOT_FOUND when it is not one the list could show. */
  reprint(depositId: string): Promise<{ ok: boolean; code: ErrorCode | null; summary: string }>;
  recentErrors(): MaintenanceState['recentErrors'];
  /** The newest committed deposits, newest first, at most maintenanceDepositsListedMax. */
  recentDeposits(): MaintenanceState['recentDeposits'];
}

export interface MaintenanceLimits {
  pinAttemptsMax: number;
  pinLockoutMs: number;
  idleLockMs: number;
}

interface Session {
  unlocked: boolean;
  lastActivityMs: number;
}

export class MaintenanceService {
  private readonly sessions = new Map<string, Session>();
  private failedAttempts = 0;
  private lockedUntilMs: number | null = null;

  constructor(
    private readonly sources: MaintenanceSources,
    private readonly pinHash: string,
    private readonly clock: Clock,
    private readonly limits: MaintenanceLimits,
  ) {}

  async handle(sessionId: string, request: MaintenanceRequest): Promise<MaintenanceState> {
    const nowMs = this.clock.nowMs();
    const session = this.sessions.get(sessionId) ?? { unlocked: false, lastActivityMs: nowMs };
    if (session.unlocked && nowMs - session.lastActivityMs >= this.limits.idleLockMs)
      session.unlocked = false;
    session.lastActivityMs = nowMs;
    this.sessions.set(sessionId, session);

    if (request.op === 'unlock') return this.unlock(session, request.pin, nowMs);
    if (request.op === 'lock') {
      session.unlocked = false;
      return this.state(session, { op: 'lock', ok: true, code: null, summary: 'locked' });
    }
    if (!session.unlocked) {
      return this.state(session, {
        op: request.op,
        ok: false,
        code: 'FORBIDDEN',
        summary: 'enter the technician PIN',
      });
    }
    return this.state(session, await this.perform(request));
  }

  /** The connection went away: forget its unlock. */
  end(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private async unlock(session: Session, pin: string, nowMs: number): Promise<MaintenanceState> {
    if (this.lockedUntilMs !== null && nowMs < this.lockedUntilMs) {
      return this.state(session, {
        op: 'unlock',
        ok: false,
        code: 'PIN_LOCKED',
        summary: 'too many wrong PINs',
      });
    }
    if (checkTechnicianPin(pin, this.pinHash)) {
      this.failedAttempts = 0;
      this.lockedUntilMs = null;
      session.unlocked = true;
      return this.state(session, { op: 'unlock', ok: true, code: null, summary: 'maintenance mode' });
    }
    this.failedAttempts += 1;
    if (this.failedAttempts >= this.limits.pinAttemptsMax) {
      this.lockedUntilMs = nowMs + this.limits.pinLockoutMs;
      this.failedAttempts = 0;
      return this.state(session, {
        op: 'unlock',
        ok: false,
        code: 'PIN_LOCKED',
        summary: 'too many wrong PINs',
      });
    }
    return this.state(session, { op: 'unlock', ok: false, code: 'PIN_INVALID', summary: 'wrong PIN' });
  }

  private async perform(
    request: Exclude<MaintenanceRequest, { op: 'unlock' | 'lock' }>,
  ): Promise<MaintenanceResult> {
    const outcome = async (
      op: MaintenanceResult['op'],
      run: () => Promise<{ ok: boolean; summary: string; code?: ErrorCode | null }>,
    ) => {
      try {
        const result = await run();
        return {
          op,
          ok: result.ok,
          code: result.code ?? (result.ok ? null : 'DEVICE_FAULT'),
          summary: result.summary,
        };
      } catch (error) {
        // A failing device must not take maintenance mode down with it: say what failed.
        return {
          op,
          ok: false,
          code: 'INTERNAL' as const,
          summary: error instanceof Error ? error.message.slice(0, 200) : 'failed',
        };
      }
    };
    switch (request.op) {
      case 'refresh':
        return { op: 'refresh', ok: true, code: null, summary: 'refreshed' };
      case 'selfTest':
        return outcome('selfTest', () => this.sources.selfTest(request.device));
      case 'testPrint':
        return outcome('testPrint', () => this.sources.testPrint());
      case 'collect':
        return outcome('collect', () => this.sources.collect());
      case 'syncNow':
        return outcome('syncNow', async () => {
          const result = await this.sources.syncNow();
          return { ...result, code: result.ok ? null : 'SERVER_UNREACHABLE' };
        });
      case 'reprintLast':
        return outcome('reprintLast', () => this.sources.reprintLast());
      case 'reprint':
        return outcome('reprint', () => this.sources.reprint(request.depositId));
    }
  }

  private async state(session: Session, lastResult: MaintenanceResult): Promise<MaintenanceState> {
    const lockedUntilMs =
      this.lockedUntilMs !== null && this.clock.nowMs() < this.lockedUntilMs ? this.lockedUntilMs : null;
    if (!session.unlocked) {
      // A locked screen learns nothing about the kiosk beyond what is printed on its case.
      return {
        unlocked: false,
        lockedUntilMs,
        terminalId: null,
        softwareVersion: this.sources.softwareVersion,
        devices: [],
        diagnostics: [],
        outbox: {
          depth: 0,
          unsyncedTotalMinor: 0,
          oldestUnsyncedAtMs: null,
          quarantined: 0,
          quarantinedTotalMinor: 0,
          lastSequence: 0,
        },
        sync: { online: false, lastSyncedAtMs: null, nextAttemptAtMs: null, lastErrorCode: null },
        bag: { currency: this.sources.currency, totalMinor: 0, coinCount: 0, billCount: 0 },
        recentErrors: [],
        recentDeposits: [],
        lastResult,
      };
    }
    return {
      unlocked: true,
      lockedUntilMs,
      terminalId: this.sources.terminalId(),
      softwareVersion: this.sources.softwareVersion,
      devices: this.sources.deviceStatuses(),
      diagnostics: await this.sources.diagnostics(),
      outbox: this.sources.outboxStatus(),
      sync: this.sources.syncStatus(),
      bag: this.sources.bag(),
      recentErrors: this.sources.recentErrors(),
      recentDeposits: this.sources.recentDeposits(),
      lastResult,
    };
  }
}
