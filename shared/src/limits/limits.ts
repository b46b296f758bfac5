import { z } from 'zod';
import type { CurrencyCode } from '../money/currency.js';
import { CurrencyCodeSchema, minorPerMajor } from '../money/currency.js';
import { AmountMinorSchema, PositiveAmountMinorSchema } from '../money/money.js';
import { kycTiers } from './kyc-tier.js';
import { defaultSlipTtlMsMax, defaultSlipTtlMsMin } from './slip-lifetime.js';

/**
 * The most deposits a sync batch's wire schema (SyncRequestSchema) admits, whatever is configured: the
 * configured syncBatchDepositsMax may be set anywhere up to it, and the server enforces the configured
 * value with its own code (SYNC_BATCH_TOO_LARGE) so a kiosk knows to split its batches.
 */
export const syncBatchDepositsCeiling = 10_000;

/**
 * Every limit of the product, by name, in one place (DESIGN section 9 and STYLE's "put a limit on
 * everything"). Money limits are per currency and KYC tier; system limits bound queues, batches, retries
 * and timeouts. `loadLimits` checks them against each other, so a limits file that would let a till take
 * more than a wallet may hold in a day fails at start-up, not at the till.
 */
const minutesMs = 60_000;
const hoursMs = 60 * minutesMs;
const daysMs = 24 * hoursMs;

const TierLimitsSchema = z.object({
  /** Deposits into one wallet over any rolling 24 hours. */
  walletDailyMaxMinor: PositiveAmountMinorSchema,
  /** Deposits into one wallet over any rolling 30 days. */
  walletMonthlyMaxMinor: PositiveAmountMinorSchema,
  /** How many deposits one wallet may take over any rolling 24 hours. */
  walletDepositsPerDayMax: z.number().int().positive(),
});

export const MoneyLimitsSchema = z.object({
  tillDepositMinMinor: PositiveAmountMinorSchema,
  tillDepositMaxMinor: PositiveAmountMinorSchema,
  tiers: z.object({ 0: TierLimitsSchema, 1: TierLimitsSchema }),
  kioskOfflineDepositMaxMinor: PositiveAmountMinorSchema,
  kioskOfflineUnsyncedMaxMinor: PositiveAmountMinorSchema,
  kioskOfflineOldestUnsyncedMs: z.number().int().positive(),
  /** Cash per person per day above this is flagged for a currency transaction report. */
  cashReportThresholdMinor: AmountMinorSchema,
});

export type MoneyLimits = z.infer<typeof MoneyLimitsSchema>;

export const SystemLimitsSchema = z.object({
  ccTalkPollIntervalMs: z.number().int().positive(),
  /**
   * How often an enabled ccTalk coin acceptor is polled while a deposit is taking money: the wait for the
   * next poll is most of the time from a coin to the screen. ccTalk lets the host poll faster than the
   * device's polling priority; one 229 exchange takes about 27 ms at 9600 baud, which bounds it below.
   */
  ccTalkPollIntervalAcceptingMs: z.number().int().positive(),
  ccTalkDeviceWatchdogMs: z.number().int().positive(),
  ccTalkInterByteTimeoutMs: z.number().int().positive(),
  ccTalkReplyTimeoutMs: z.number().int().positive(),
  ccTalkRetriesMax: z.number().int().nonnegative(),
  ccTalkFrameBytesMax: z.number().int().min(5).max(260),
  ccTalkEventBufferSize: z.number().int().positive(),
  deviceReconnectBackoffMsMin: z.number().int().positive(),
  deviceReconnectBackoffMsMax: z.number().int().positive(),
  /** Faulted ccTalk devices are self-checked (232) every this many polls until the fault clears. */
  ccTalkFaultRecheckPolls: z.number().int().positive(),
  /** A bill left in escrow this long is returned by the validator itself. */
  billEscrowTimeoutMs: z.number().int().positive(),
  /** How often the bulk coin counter's registers and status are read. */
  bulkCounterPollIntervalMs: z.number().int().positive(),
  bulkCounterReplyTimeoutMs: z.number().int().positive(),
  /**
   * The fastest a bulk counter counts (a JetSort sorts up to 6,000 mixed coins a minute): a register that
   * grew by more than this rate allows for the time since it was last read is a garbled read, not coins.
   */
  bulkCounterCoinsPerMinuteMax: z.number().int().positive(),
  /**
   * Consecutive reads, each consistent with the one before, after which a register that reads lower than
   * its baseline or implausibly high is believed: taken as its new baseline, uncredited, and the deposit it
   * lands in held for review (lost events). Fewer are a misread, and the baseline is kept.
   */
  bulkCounterSuspectReadsMax: z.number().int().positive(),
  /** The longest scan a scanner line or HID POS report train may carry. */
  scanTextCharsMax: z.number().int().positive(),
  hidPosReportsPerScanMax: z.number().int().positive(),
  /** Keyboard-wedge scans: keys arrive at most this far apart on average (onscan.js uses 30 ms). */
  scanBurstKeyGapMsMax: z.number().int().positive(),
  /** Shorter bursts are a person typing fast, not a scan. */
  scanBurstCharsMin: z.number().int().positive(),
  /** Events a driver holds for a slow consumer before it drops the oldest (and says so). */
  deviceEventQueueMax: z.number().int().positive(),
  printerStatusTimeoutMs: z.number().int().positive(),
  /** How often an idle printer is asked for paper and cover status, so a fault shows before a receipt. */
  printerStatusPollIntervalMs: z.number().int().positive(),
  /** Deposits one sync batch may carry; the wire schema admits up to syncBatchDepositsCeiling. */
  syncBatchDepositsMax: z.number().int().positive().max(syncBatchDepositsCeiling),
  syncDepositBytesMax: z.number().int().positive(),
  syncRetryBackoffMsMin: z.number().int().positive(),
  syncRetryBackoffMsMax: z.number().int().positive(),
  httpBodyBytesMax: z.number().int().positive(),
  signatureSkewMs: z.number().int().positive(),
  nonceRetentionMs: z.number().int().positive(),
  heartbeatIntervalMs: z.number().int().positive(),
  terminalSilentAlertMs: z.number().int().positive(),
  tillAuthorizationTtlMs: z.number().int().positive(),
  tillVoidWindowMs: z.number().int().positive(),
  /** How long a terminal's one-time enrollment token stays usable after ops creates it. */
  enrollmentTokenTtlMs: z.number().int().positive(),
  /** Coins a kiosk's cash bag holds when full; bag fill is reported against it. */
  kioskBagCoinsMax: z.number().int().positive(),
  /** Bag fill, in percent, at which ops are alerted to collect. */
  bagNearlyFullPercent: z.number().int().min(1).max(100),
  /** A terminal that beats but whose oldest unsynced deposit is older than this is called stuck. */
  terminalStuckMs: z.number().int().positive(),
  clerkSessionTtlMs: z.number().int().positive(),
  /** How long an ops staff member's console session lasts; wrong passwords count against pinAttemptsMax. */
  staffSessionTtlMs: z.number().int().positive(),
  pinAttemptsMax: z.number().int().positive(),
  pinLockoutMs: z.number().int().positive(),
  otpTtlMs: z.number().int().positive(),
  otpAttemptsMax: z.number().int().positive(),
  /**
   * How long one client (a phone number guessed at from one IP address) is locked out after its
   * otpAttemptsMax-th wrong one-time code; each later lockout in the same otpPhoneWindowMs lasts twice as
   * long as the one before, up to otpLockoutMsMax.
   */
  otpLockoutMs: z.number().int().positive(),
  otpLockoutMsMax: z.number().int().positive(),
  /**
   * Wrong one-time codes a phone may be sent, from anywhere, over all its codes within otpPhoneWindowMs
   * before every further guess at it must wait: otpPhoneGuessDelayMsMin after the last wrong one, doubling
   * with each, up to otpPhoneGuessDelayMsMax. Asking for a new code restarts the per-code count, so without
   * this guessers on many addresses could ask again and again; a delay rather than a lock, so a stranger
   * cannot shut the owner out for the whole window (shoppers/otp.ts).
   */
  otpPhoneFailuresMax: z.number().int().positive(),
  otpPhoneWindowMs: z.number().int().positive(),
  otpPhoneGuessDelayMsMin: z.number().int().positive(),
  otpPhoneGuessDelayMsMax: z.number().int().positive(),
  /**
   * One-time codes sent to one phone within otpSendsWindowMs. Each is a text message someone pays for and a
   * shopper receives: without a bound, anyone could flood a phone or run up the bill (SMS pumping).
   */
  otpSendsMax: z.number().int().positive(),
  otpSendsWindowMs: z.number().int().positive(),
  /**
   * How long a sign-up's token can open its wallet (with the phone's newest code). Longer than one code,
   * so an owner whose number a stranger signs up again can still enter the newer code the stranger caused;
   * no longer than otpSendsWindowMs, so a phone's message bound also bounds its pending sign-ups.
   */
  signUpTtlMs: z.number().int().positive(),
  /**
   * Code messages (sign-ups and sign-in codes, to any numbers) and code guesses one client IP address may
   * ask for within otpClientIpWindowMs, counted in the database so every server process shares the count.
   * The per-phone bounds alone let one client text forty numbers five times each.
   */
  otpSendsPerClientIpMax: z.number().int().positive(),
  otpGuessesPerClientIpMax: z.number().int().positive(),
  otpClientIpWindowMs: z.number().int().positive(),
  /** The most history entries one wallet history page returns. */
  walletHistoryPageEntriesMax: z.number().int().positive(),
  shopperSessionTtlMs: z.number().int().positive(),
  /**
   * How long a shopper's or clerk's expired session is kept before it is deleted: long enough for the
   * token to answer SESSION_EXPIRED (sign in again) rather than UNAUTHENTICATED to an app left open.
   */
  expiredSessionsKeptMs: z.number().int().positive(),
  codeRotationGraceMs: z.number().int().nonnegative(),
  codeLookupsPerMinuteMax: z.number().int().positive(),
  slipTtlMsMin: z.number().int().positive(),
  slipTtlMsMax: z.number().int().positive(),
  /**
   * Clerks one store may have, disabled ones included (a clerk is never deleted: till deposits name who
   * took the cash). Bounds the console's clerk list, which shows them all.
   */
  clerksPerStoreMax: z.number().int().positive(),
  /** Payment slips a shopper may hold open (neither used nor expired) at once. */
  slipsOpenPerShopperMax: z.number().int().positive(),
  depositIdleTimeoutMs: z.number().int().positive(),
  depositDrainMs: z.number().int().positive(),
  /** How long the kiosk waits for the server to answer a code lookup before it goes on offline. */
  depositLookupTimeoutMs: z.number().int().positive(),
  /** How long the done screen stays up after a deposit before the kiosk returns to attract. */
  depositReceiptScreenMs: z.number().int().positive(),
  /**
   * How long after a deposit started the kiosk still prints (or shows) a receipt it owes on its own, when
   * the printer or the power comes back: its shopper may still be there. Later they have gone, and a
   * voucher's claim code put in the tray for whoever stands at the kiosk would hand them the money; the
   * receipt waits in maintenance for a tech to reprint it.
   */
  depositReceiptOwedMs: z.number().int().positive(),
  /** Events the kiosk's deposit runner may hold queued; more means a feedback loop, not a busy shopper. */
  depositEventQueueMax: z.number().int().positive(),
  /**
   * How long a finishing deposit waits past its drain window for a bill it told the validator to stack,
   * so the bill is counted in its deposit rather than arriving after the commit.
   */
  depositEscrowSettleMs: z.number().int().positive(),
  /**
   * How long a finishing deposit keeps draining, from the start of its drain, while a bulk counter still
   * counts the coins poured into it (it cannot be inhibited): every coin of the pour is the shopper's. If it
   * still counts then, the deposit commits held for review (lost events).
   */
  depositCounterSettleMsMax: z.number().int().positive(),
  /**
   * How long a finishing deposit waits, from the start of its drain, for a money device that went away
   * during it to come back and be polled again, so the coins it still holds are counted in the deposit.
   */
  depositDeviceSettleMsMax: z.number().int().positive(),
  bridgeMessageBytesMax: z.number().int().positive(),
});

export type SystemLimits = z.infer<typeof SystemLimitsSchema>;

export const LimitsSchema = z.object({
  money: z.partialRecord(CurrencyCodeSchema, MoneyLimitsSchema),
  system: SystemLimitsSchema,
});

export type Limits = z.infer<typeof LimitsSchema>;

/** Whole major units to minor units, for writing defaults readably. */
function major(currency: CurrencyCode, amountMajor: number): number {
  return amountMajor * minorPerMajor(currency);
}

function moneyLimits(
  currency: CurrencyCode,
  m: {
    till: [number, number];
    daily: [number, number];
    monthly: [number, number];
    offline: [number, number];
    report: number;
  },
): MoneyLimits {
  return {
    tillDepositMinMinor: major(currency, m.till[0]),
    tillDepositMaxMinor: major(currency, m.till[1]),
    tiers: {
      0: {
        walletDailyMaxMinor: major(currency, m.daily[0]),
        walletMonthlyMaxMinor: major(currency, m.monthly[0]),
        walletDepositsPerDayMax: 20,
      },
      1: {
        walletDailyMaxMinor: major(currency, m.daily[1]),
        walletMonthlyMaxMinor: major(currency, m.monthly[1]),
        walletDepositsPerDayMax: 50,
      },
    },
    kioskOfflineDepositMaxMinor: major(currency, m.offline[0]),
    kioskOfflineUnsyncedMaxMinor: major(currency, m.offline[1]),
    kioskOfflineOldestUnsyncedMs: 72 * hoursMs,
    cashReportThresholdMinor: major(currency, m.report),
  };
}

/**
 * USD and MXN are DESIGN section 9. EUR and GBP take the USD figures and INR and JPY roughly their USD
 * equivalents; those four are our assumption until compliance sets them.
 */
export const defaultLimits: Limits = {
  money: {
    USD: moneyLimits('USD', {
      till: [5, 500],
      daily: [1_000, 5_000],
      monthly: [2_500, 10_000],
      offline: [200, 1_000],
      report: 10_000,
    }),
    MXN: moneyLimits('MXN', {
      till: [100, 5_000],
      daily: [10_000, 50_000],
      monthly: [25_000, 100_000],
      offline: [4_000, 20_000],
      report: 200_000,
    }),
    EUR: moneyLimits('EUR', {
      till: [5, 500],
      daily: [1_000, 5_000],
      monthly: [2_500, 10_000],
      offline: [200, 1_000],
      report: 10_000,
    }),
    GBP: moneyLimits('GBP', {
      till: [5, 500],
      daily: [1_000, 5_000],
      monthly: [2_500, 10_000],
      offline: [200, 1_000],
      report: 10_000,
    }),
    INR: moneyLimits('INR', {
      till: [400, 40_000],
      daily: [80_000, 400_000],
      monthly: [200_000, 800_000],
      offline: [16_000, 80_000],
      report: 800_000,
    }),
    JPY: moneyLimits('JPY', {
      till: [750, 75_000],
      daily: [150_000, 750_000],
      monthly: [375_000, 1_500_000],
      offline: [30_000, 150_000],
      report: 1_500_000,
    }),
  },
  system: {
    ccTalkPollIntervalMs: 200,
    ccTalkPollIntervalAcceptingMs: 40,
    ccTalkDeviceWatchdogMs: 1_000,
    ccTalkInterByteTimeoutMs: 50,
    ccTalkReplyTimeoutMs: 100,
    ccTalkRetriesMax: 3,
    ccTalkFrameBytesMax: 260,
    ccTalkEventBufferSize: 5,
    deviceReconnectBackoffMsMin: 250,
    deviceReconnectBackoffMsMax: 10_000,
    ccTalkFaultRecheckPolls: 5,
    billEscrowTimeoutMs: 10_000,
    bulkCounterPollIntervalMs: 250,
    bulkCounterReplyTimeoutMs: 200,
    bulkCounterCoinsPerMinuteMax: 6_000,
    bulkCounterSuspectReadsMax: 12,
    scanTextCharsMax: 512,
    hidPosReportsPerScanMax: 16,
    scanBurstKeyGapMsMax: 30,
    scanBurstCharsMin: 6,
    deviceEventQueueMax: 1_000,
    printerStatusTimeoutMs: 500,
    printerStatusPollIntervalMs: 5_000,
    syncBatchDepositsMax: 500,
    syncDepositBytesMax: 4_096,
    syncRetryBackoffMsMin: 1_000,
    syncRetryBackoffMsMax: 5 * minutesMs,
    httpBodyBytesMax: 4 * 1024 * 1024,
    signatureSkewMs: 5 * minutesMs,
    nonceRetentionMs: 15 * minutesMs,
    heartbeatIntervalMs: 30_000,
    terminalSilentAlertMs: 3 * minutesMs,
    tillAuthorizationTtlMs: 5 * minutesMs,
    tillVoidWindowMs: 30 * minutesMs,
    enrollmentTokenTtlMs: 24 * hoursMs,
    kioskBagCoinsMax: 20_000,
    bagNearlyFullPercent: 90,
    terminalStuckMs: 10 * minutesMs,
    clerkSessionTtlMs: 12 * hoursMs,
    staffSessionTtlMs: 8 * hoursMs,
    pinAttemptsMax: 5,
    pinLockoutMs: 15 * minutesMs,
    otpTtlMs: 10 * minutesMs,
    otpAttemptsMax: 5,
    otpLockoutMs: 15 * minutesMs,
    otpLockoutMsMax: 4 * hoursMs,
    otpPhoneFailuresMax: 10,
    otpPhoneWindowMs: 24 * hoursMs,
    otpPhoneGuessDelayMsMin: 1 * minutesMs,
    otpPhoneGuessDelayMsMax: 15 * minutesMs,
    otpSendsMax: 5,
    otpSendsWindowMs: 1 * hoursMs,
    signUpTtlMs: 1 * hoursMs,
    // A store's Wi-Fi or a carrier's shared address may carry many honest shoppers, so these are set well
    // above one person's needs and far below what pumping texts to premium numbers pays for.
    otpSendsPerClientIpMax: 20,
    otpGuessesPerClientIpMax: 60,
    otpClientIpWindowMs: 1 * hoursMs,
    walletHistoryPageEntriesMax: 100,
    shopperSessionTtlMs: 30 * daysMs,
    expiredSessionsKeptMs: 7 * daysMs,
    codeRotationGraceMs: 15 * minutesMs,
    codeLookupsPerMinuteMax: 30,
    slipTtlMsMin: defaultSlipTtlMsMin,
    slipTtlMsMax: defaultSlipTtlMsMax,
    slipsOpenPerShopperMax: 10,
    clerksPerStoreMax: 500,
    depositIdleTimeoutMs: 60_000,
    depositDrainMs: 1_500,
    depositLookupTimeoutMs: 8_000,
    depositReceiptScreenMs: 15_000,
    depositReceiptOwedMs: 15 * minutesMs,
    depositEventQueueMax: 1_024,
    depositEscrowSettleMs: 5_000,
    depositCounterSettleMsMax: 3 * minutesMs,
    depositDeviceSettleMsMax: 15_000,
    bridgeMessageBytesMax: 64 * 1024,
  },
};

/** Every way the limits contradict each other, in words; empty when they are coherent. */
export function limitProblems(limits: Limits): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  for (const [currency, m] of Object.entries(limits.money) as [CurrencyCode, MoneyLimits][]) {
    const t0 = m.tiers[0];
    const t1 = m.tiers[1];
    check(
      m.tillDepositMinMinor <= m.tillDepositMaxMinor,
      `${currency}: till minimum is above the till maximum`,
    );
    check(
      m.tillDepositMaxMinor <= t0.walletDailyMaxMinor,
      `${currency}: one till deposit may exceed a tier 0 day`,
    );
    for (const tier of kycTiers) {
      const t = m.tiers[tier];
      check(
        t.walletDailyMaxMinor <= t.walletMonthlyMaxMinor,
        `${currency}: tier ${tier} day is above its 30 days`,
      );
    }
    check(t0.walletDailyMaxMinor <= t1.walletDailyMaxMinor, `${currency}: tier 0 day is above tier 1 day`);
    check(
      t0.walletMonthlyMaxMinor <= t1.walletMonthlyMaxMinor,
      `${currency}: tier 0 30 days is above tier 1`,
    );
    check(
      t0.walletDepositsPerDayMax <= t1.walletDepositsPerDayMax,
      `${currency}: tier 0 may make more deposits a day than tier 1`,
    );
    check(
      m.kioskOfflineDepositMaxMinor <= m.kioskOfflineUnsyncedMaxMinor,
      `${currency}: one offline deposit may exceed the unsynced cap per terminal`,
    );
    check(
      m.kioskOfflineDepositMaxMinor <= t0.walletDailyMaxMinor,
      `${currency}: one offline deposit may exceed a tier 0 day`,
    );
  }
  const s = limits.system;
  check(
    s.ccTalkPollIntervalMs >= 100 && s.ccTalkPollIntervalMs <= 900,
    'ccTalk poll interval must be 100-900 ms (the devices documented range)',
  );
  check(
    s.ccTalkPollIntervalAcceptingMs >= 30 && s.ccTalkPollIntervalAcceptingMs <= s.ccTalkPollIntervalMs,
    'ccTalk accepting poll interval must be 30 ms (one exchange at 9600 baud) up to the normal interval',
  );
  check(
    s.ccTalkPollIntervalMs * 2 <= s.ccTalkDeviceWatchdogMs,
    'ccTalk poll interval must leave room for a missed poll inside the device watchdog',
  );
  check(
    s.ccTalkInterByteTimeoutMs < s.ccTalkReplyTimeoutMs,
    'ccTalk inter-byte timeout must be shorter than the reply timeout',
  );
  check(
    s.ccTalkReplyTimeoutMs * (s.ccTalkRetriesMax + 1) < s.ccTalkDeviceWatchdogMs,
    'ccTalk retries must finish inside the device watchdog, or a slow reply inhibits the acceptor',
  );
  check(
    s.deviceReconnectBackoffMsMin <= s.deviceReconnectBackoffMsMax,
    'device reconnect backoff minimum is above its maximum',
  );
  check(
    s.bulkCounterReplyTimeoutMs < s.bulkCounterPollIntervalMs,
    'a bulk counter read must time out before the next read is due',
  );
  check(
    s.billEscrowTimeoutMs > s.ccTalkPollIntervalMs * 5,
    'a bill must stay in escrow for several polls, or the host cannot decide before it is returned',
  );
  check(
    s.deviceEventQueueMax >= s.ccTalkEventBufferSize * 10,
    'the driver event queue must hold many device buffers of events',
  );
  check(
    s.printerStatusTimeoutMs * 3 < s.printerStatusPollIntervalMs,
    'a printer status query (three requests) must finish before the next is due',
  );
  check(
    s.scanBurstCharsMin <= s.scanTextCharsMax,
    'a keyboard-wedge scan must be able to reach its minimum length',
  );
  check(s.syncRetryBackoffMsMin <= s.syncRetryBackoffMsMax, 'sync backoff minimum is above its maximum');
  check(
    s.syncBatchDepositsMax * s.syncDepositBytesMax <= s.httpBodyBytesMax,
    'a full sync batch would not fit in the HTTP body limit',
  );
  check(
    s.nonceRetentionMs >= 2 * s.signatureSkewMs,
    'nonces must be kept for the whole window a timestamp is accepted in',
  );
  check(
    s.heartbeatIntervalMs * 2 <= s.terminalSilentAlertMs,
    'a terminal must miss at least two heartbeats before it is called silent',
  );
  check(
    s.tillAuthorizationTtlMs <= s.tillVoidWindowMs,
    'a till authorization must not outlive the void window',
  );
  check(
    s.terminalStuckMs >= s.syncRetryBackoffMsMax,
    'a terminal must be given one full sync backoff before it is called stuck',
  );
  check(
    s.enrollmentTokenTtlMs >= s.signatureSkewMs,
    'an enrollment token must outlive the clock skew a terminal is allowed',
  );
  check(s.otpLockoutMs >= s.otpTtlMs, 'an OTP lockout must outlast the code it guards against guessing');
  check(
    s.otpPhoneFailuresMax >= s.otpAttemptsMax && s.otpPhoneWindowMs >= s.otpLockoutMs,
    'a phone must be allowed at least one code of wrong guesses, over longer than one lockout',
  );
  check(
    s.otpSendsWindowMs >= s.otpTtlMs,
    'the window that bounds one-time code messages must outlast one code',
  );
  check(
    s.signUpTtlMs >= s.otpTtlMs && s.signUpTtlMs <= s.otpSendsWindowMs,
    'a pending sign-up must outlast one code and end within the window that bounds its messages',
  );
  check(s.otpLockoutMs <= s.otpLockoutMsMax, 'the first OTP lockout is longer than the longest');
  check(
    s.otpPhoneGuessDelayMsMin <= s.otpPhoneGuessDelayMsMax,
    'the first wait between guesses at a phone is longer than the longest',
  );
  check(
    s.otpSendsPerClientIpMax >= s.otpSendsMax && s.otpGuessesPerClientIpMax >= s.otpAttemptsMax,
    'one client must be allowed the messages of one phone and the guesses of one code',
  );
  check(s.slipTtlMsMin <= s.slipTtlMsMax, 'payment slip minimum lifetime is above its maximum');
  check(
    s.depositDrainMs < s.depositIdleTimeoutMs,
    'draining in-flight coins must be quicker than the idle time-out',
  );
  check(
    s.depositDrainMs >= 3 * s.ccTalkPollIntervalMs,
    'draining must span several polls, so coins already inside the acceptor are still seen',
  );
  check(
    s.depositLookupTimeoutMs < s.depositIdleTimeoutMs,
    'a code lookup must give up before the shopper is timed out',
  );
  check(
    s.depositEscrowSettleMs >= s.depositDrainMs && s.depositEscrowSettleMs < s.depositIdleTimeoutMs,
    'waiting for a stacked bill must outlast the drain window and end before the idle time-out',
  );
  check(
    s.depositCounterSettleMsMax >= s.depositDrainMs && s.depositDeviceSettleMsMax >= s.depositDrainMs,
    'waiting for a counting counter or a device that went away must outlast the drain window',
  );
  check(
    s.depositDeviceSettleMsMax >= s.deviceReconnectBackoffMsMax + s.depositDrainMs,
    'waiting for a device that went away must leave room for one reconnect and a drain of polls',
  );
  check(
    s.bulkCounterSuspectReadsMax >= 2,
    'a suspect counter register must be read at least twice before it is believed',
  );
  check(
    s.depositReceiptOwedMs >= s.depositIdleTimeoutMs,
    'a receipt owed must still print for a shopper who is waiting for it at the kiosk',
  );
  check(
    s.depositReceiptScreenMs <= s.depositIdleTimeoutMs,
    'the done screen must not outlast the idle time-out it stands in for',
  );
  return problems;
}

export class LimitsError extends Error {
  override name = 'LimitsError';

  constructor(readonly problems: string[]) {
    super(`limits are not coherent:\n- ${problems.join('\n- ')}`);
  }
}

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type LimitsOverride = DeepPartial<Limits>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/**
 * The defaults with `override` laid over them (a limits file need only say what differs), parsed and
 * checked. Throws a LimitsError naming every problem: incoherent limits are a start-up failure.
 */
export function loadLimits(override: unknown = {}): Limits {
  const parsed = LimitsSchema.safeParse(deepMerge(defaultLimits, override));
  if (!parsed.success) {
    throw new LimitsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const problems = limitProblems(parsed.data);
  if (problems.length > 0) throw new LimitsError(problems);
  return parsed.data;
}

export function moneyLimitsFor(limits: Limits, currency: CurrencyCode): MoneyLimits {
  const m = limits.money[currency];
  if (!m) throw new Error(`no limits configured for ${currency}`);
  return m;
}
