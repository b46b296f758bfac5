import type {
  Clock,
  CurrencyCode,
  DeviceDiagnostics,
  DeviceStatus,
  MaintenanceRequest,
  MaintenanceResult,
  MaintenanceState,
} from '@cashin/shared';
import type { SourceResult } from './maintenance-outcomes.js';
import { failedWith, succeeded, unexpectedFailureResult } from './maintenance-outcomes.js';
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
  // Each action answers as data (see maintenance-outcomes.ts); the screen words it in the tech's language.
  selfTest(device: string): Promise<SourceResult>;
  testPrint(): Promise<SourceResult>;
  outboxStatus(): MaintenanceState['outbox'];
  syncStatus(): MaintenanceState['sync'];
  syncNow(): Promise<SourceResult>;
  /** Puts the set-aside deposits back in the queue and syncs (Outbox.requeueQuarantined). */
  retrySetAside(): Promise<SourceResult>;
  bag(): MaintenanceState['bag'];
  collect(): Promise<SourceResult>;
  reprintLast(): Promise<SourceResult>;
  /** Reprints one committed deposit's receipt; NOT_FOUND when it is not one the list could show. */
  reprint(depositId: string): Promise<SourceResult>;
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
      return this.state(session, { op: 'lock', ...succeeded({ kind: 'locked' }) });
    }
    if (!session.unlocked) {
      return this.state(session, { op: request.op, ...failedWith('FORBIDDEN', { kind: 'pinRequired' }) });
    }
    return this.state(session, await this.perform(request));
  }

  /** The connection went away: forget its unlock. */
  end(sessionId: string): void {
    this.sessions.delete(sessionId);
  }

  private async unlock(session: Session, pin: string, nowMs: number): Promise<MaintenanceState> {
    const pinLocked = { op: 'unlock', ...failedWith('PIN_LOCKED', { kind: 'pinLocked' }) } as const;
    if (this.lockedUntilMs !== null && nowMs < this.lockedUntilMs) return this.state(session, pinLocked);
    if (checkTechnicianPin(pin, this.pinHash)) {
      this.failedAttempts = 0;
      this.lockedUntilMs = null;
      session.unlocked = true;
      return this.state(session, { op: 'unlock', ...succeeded({ kind: 'unlocked' }) });
    }
    this.failedAttempts += 1;
    if (this.failedAttempts >= this.limits.pinAttemptsMax) {
      this.lockedUntilMs = nowMs + this.limits.pinLockoutMs;
      this.failedAttempts = 0;
      return this.state(session, pinLocked);
    }
    return this.state(session, { op: 'unlock', ...failedWith('PIN_INVALID', { kind: 'pinWrong' }) });
  }

  private async perform(
    request: Exclude<MaintenanceRequest, { op: 'unlock' | 'lock' }>,
  ): Promise<MaintenanceResult> {
    // A failing device must not take maintenance mode down with it: a throw becomes a result.
    const guarded = async (
      op: MaintenanceResult['op'],
      run: () => Promise<SourceResult>,
    ): Promise<MaintenanceResult> => {
      try {
        return { op, ...(await run()) };
      } catch (error) {
        return { op, ...unexpectedFailureResult(error) };
      }
    };
    switch (request.op) {
      case 'refresh':
        return { op: 'refresh', ...succeeded({ kind: 'refreshed' }) };
      case 'selfTest':
        return guarded('selfTest', () => this.sources.selfTest(request.device));
      case 'testPrint':
        return guarded('testPrint', () => this.sources.testPrint());
      case 'collect':
        return guarded('collect', () => this.sources.collect());
      case 'syncNow':
        return guarded('syncNow', () => this.sources.syncNow());
      case 'retrySetAside':
        return guarded('retrySetAside', () => this.sources.retrySetAside());
      case 'reprintLast':
        return guarded('reprintLast', () => this.sources.reprintLast());
      case 'reprint':
        return guarded('reprint', () => this.sources.reprint(request.depositId));
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
