import type { Code, FakeClock, KioskScreen, SeededRandom } from '@cashin/shared';
import { defaultLimits, generateCode } from '@cashin/shared';
import type { ChaosKiosk } from '@cashin/terminal-app/chaos/chaos-rig.js';

/**
 * The shoppers at one kiosk of a network chaos run: one after another they identify (their own code, a
 * code nobody owns, or "no account"), feed coins and bills, and finish or walk away. Each shopper's whole
 * plan is drawn before they step up, with the same draws whatever the kiosk answers, so a seed gives every
 * kiosk the same queue of shoppers even when the real servers' timing differs. The script does not drive
 * the clock: it waits on the run's shared FakeClock, which the run moves for every kiosk at once.
 *
 * Faults that need a shopper's moment are done here too: a coin acceptor loses power mid-deposit only at
 * least `powerOffQuietMs` after the last coin, so the device has reported every coin it kept (a coin that
 * vanished with the device's memory would be a hardware loss no software can see, not a finding).
 */
export interface ShopperPlan {
  readonly arriveAfterMs: number;
  readonly identify: { kind: 'own'; shopper: number } | { kind: 'unknown'; code: Code } | { kind: 'none' };
  readonly pieces: ReadonlyArray<
    { kind: 'coin'; valueMinor: number; gapMs: number } | { kind: 'bill'; id: string; gapMs: number }
  >;
  readonly walksAway: boolean;
}

const coinValues = [5, 10, 25, 100] as const;
const bills = ['US0001A', 'US0005A'] as const;
export const piecesPerDepositMax = 10;
/** A device powers off only this long after the last coin (over the 200 ms poll, with margin). */
export const powerOffQuietMs = 1_000;
const stepMs = 25;

/** Draws one shopper's plan: always the same number of draws, so later plans do not shift. */
export function drawShopperPlan(random: SeededRandom, shoppers: number): ShopperPlan {
  const arriveAfterMs = random.int(500, 8_000);
  const who = random.next();
  const shopper = random.int(0, shoppers - 1);
  const unknown = generateCode('deposit', random.bytes);
  const count = random.int(1, piecesPerDepositMax);
  const pieces: ShopperPlan['pieces'][number][] = [];
  for (let index = 0; index < piecesPerDepositMax; index += 1) {
    const bill = random.chance(0.1);
    const valueMinor = random.pick(coinValues);
    const id = random.pick(bills);
    const gapMs = random.int(100, 1_500);
    if (index < count) pieces.push(bill ? { kind: 'bill', id, gapMs } : { kind: 'coin', valueMinor, gapMs });
  }
  const walksAway = random.chance(0.05);
  return {
    arriveAfterMs,
    identify:
      who < 0.75
        ? { kind: 'own', shopper }
        : who < 0.85
          ? { kind: 'unknown', code: unknown }
          : { kind: 'none' },
    pieces,
    walksAway,
  };
}

/** The agent was killed under the shopper: this deposit is over for them (the restart recovers it). */
export class AgentDown extends Error {
  override name = 'AgentDown';
}

export interface ShopperStats {
  served: number;
  finished: number;
  interrupted: number;
  powerOffs: number;
}

export class KioskShoppers {
  readonly stats: ShopperStats = { served: 0, finished: 0, interrupted: 0, powerOffs: 0 };
  /** Set by the fault schedule; done by the script at the next safe moment. */
  powerOffPending = false;
  private lastCoinAtMs = 0;

  constructor(
    readonly kiosk: ChaosKiosk,
    private readonly clock: FakeClock,
    private readonly random: SeededRandom,
    private readonly codes: readonly Code[],
  ) {}

  private agent() {
    const agent = this.kiosk.agent;
    if (agent === undefined) throw new AgentDown('the agent is down');
    return agent;
  }

  private screen(): KioskScreen {
    return this.agent().runner.current().screen;
  }

  private async until(done: () => boolean, budgetMs: number): Promise<boolean> {
    for (let passed = 0; passed <= budgetMs; passed += stepMs) {
      if (done()) return true;
      await this.clock.sleep(stepMs);
    }
    return done();
  }

  /** Shoppers one after another until `endAtMs` on the run's clock. */
  async run(endAtMs: number): Promise<void> {
    while (this.clock.nowMs() < endAtMs) {
      const plan = drawShopperPlan(this.random, this.codes.length);
      await this.clock.sleep(plan.arriveAfterMs);
      if (this.clock.nowMs() >= endAtMs) break;
      try {
        await this.oneDeposit(plan);
      } catch (error) {
        if (!(error instanceof AgentDown)) throw error;
        this.stats.interrupted += 1;
      }
    }
  }

  /** Waits for the agent (it may be restarting) and the attract screen, as the next shopper would. */
  async readyForShopper(budgetMs: number): Promise<boolean> {
    if (!(await this.until(() => this.kiosk.agent !== undefined, budgetMs))) return false;
    await this.maybePowerOff();
    const screen = this.screen();
    if (screen === 'done') this.agent().runner.intent({ type: 'dismiss' });
    // Never await a sync: it may wait on this very clock (a delayed link).
    if (screen === 'offlineCapped') void this.agent().sync.syncNow();
    return this.until(() => this.kiosk.agent !== undefined && this.screen() === 'attract', budgetMs);
  }

  private async maybePowerOff(): Promise<void> {
    if (!this.powerOffPending || this.kiosk.agent === undefined || !this.kiosk.isPlugged('coin')) return;
    const quietMs = this.lastCoinAtMs + powerOffQuietMs - this.clock.nowMs();
    if (quietMs > 0) await this.clock.sleep(quietMs);
    if (this.kiosk.agent === undefined || !this.kiosk.isPlugged('coin')) return;
    this.powerOffPending = false;
    this.kiosk.coin.powerCycle();
    this.stats.powerOffs += 1;
  }

  private async oneDeposit(plan: ShopperPlan): Promise<void> {
    if (!(await this.readyForShopper(30_000))) return;
    this.agent().runner.intent({ type: 'start' });
    if (!(await this.until(() => this.screen() === 'identify', 2_000))) return;
    this.stats.served += 1;
    const { identify } = plan;
    if (identify.kind === 'own')
      this.agent().runner.intent({ type: 'keyedCode', text: this.codes[identify.shopper]! });
    else if (identify.kind === 'unknown')
      this.agent().runner.intent({ type: 'keyedCode', text: identify.code });
    else this.agent().runner.intent({ type: 'noAccount' });
    await this.until(
      () => this.screen() !== 'identify' && this.screen() !== 'lookingUp',
      defaultLimits.system.depositLookupTimeoutMs + 2_000,
    );
    // Refused (offline cap, a limit reached): this shopper takes a voucher instead.
    if (this.screen() === 'identify') this.agent().runner.intent({ type: 'noAccount' });
    if (!(await this.until(() => this.screen() === 'confirm', 5_000))) return;
    this.agent().runner.intent({ type: 'confirm' });
    if (!(await this.until(() => this.screen() === 'insertMoney', 2_000))) return;
    await this.clock.sleep(400); // the acceptors open on the next poll

    for (const piece of plan.pieces) {
      await this.maybePowerOff();
      if (this.screen() !== 'insertMoney') break;
      // With the cable out the slot is dead to the shopper: they hold this piece back.
      if (piece.kind === 'coin' && this.kiosk.isPlugged('coin')) {
        this.kiosk.coin.insert(piece.valueMinor);
        this.lastCoinAtMs = this.clock.nowMs();
      } else if (piece.kind === 'bill' && this.kiosk.isPlugged('bill')) this.kiosk.bill.insert(piece.id);
      await this.clock.sleep(piece.gapMs);
    }
    if (plan.walksAway) await this.clock.sleep(defaultLimits.system.depositIdleTimeoutMs);
    else if (this.screen() === 'insertMoney') this.agent().runner.intent({ type: 'finish' });
    if (await this.until(() => this.screen() === 'done' || this.screen() === 'attract', 20_000))
      this.stats.finished += 1;
  }
}
