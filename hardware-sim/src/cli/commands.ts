import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CurrencyCode, Denomination } from '@cashin/shared';
import { denominationsOf, formatMoney, minorPerMajor } from '@cashin/shared';
import { coinsPerMinuteMax, coinsPerMinuteMin } from '../counter/bulk-counter-sim.js';
import type { SimDeviceName, Simulator } from '../simulator.js';
import { simDeviceNames } from '../simulator.js';

/** How far apart `insert X xN` drops coins: a single-coin acceptor takes about 2-3 coins a second. */
export const coinInsertIntervalMs = 400;
/** The most coins one `insert` or `pour` command may ask for. */
export const commandCoinsMax = 100_000;

export const helpText = `Commands (values: a ccTalk id such as US025A, or a number: coins in minor units
then major units, bills in major units):
  insert <coin> [xN]          drop N coins (default 1), ${coinInsertIntervalMs} ms apart
  reject                      a slug: the acceptor gives it back (error 1)
  jam | clearjam              coin jam (error 14, self-check fails) / clear it
  fraud                       a coin on a string (error 20)
  flightdeck                  coin return lever pulled (error 254)
  drop <n> <coin>             n events the kiosk can never see (n + 5 coins between two polls)
  bill <bill>                 feed a bill; it waits in escrow for the kiosk to stack or return it
  stacker full|empty|remove|insert
  billjam | billclear         bill jammed in transport / cleared
  pour <n> [at <cpm>] [reject <percent>]
                              pour n coins into the bulk counter at ${coinsPerMinuteMin}-${coinsPerMinuteMax} coins/min
  door open|close             bulk counter door
  powercycle [coin|bill|counter]   power loss: counters back to 0 (default coin)
  unplug <device> | plug <device>  pull / restore the cable (coin, bill, counter, scanner, printer)
  garbage [n]                 n random bytes of line noise on the coin line (default 16)
  slow <ms> | echo on|off     coin acceptor reply latency / single-wire echo
  scan <text> [symbology]     scan a barcode (code128 by default; qr, ean13, ...)
  paper out|in | cover open|close  printer conditions
  receipt                     show the last receipt and save it as text and PNG
  status                      what every device is doing and what it accepted
  wait <ms>                   pause (scripts)
  help                        this text`;

function parseCount(word: string | undefined): number | undefined {
  if (word === undefined) return 1;
  const match = /^x(\d+)$/i.exec(word);
  const count = match?.[1] ? Number(match[1]) : NaN;
  return Number.isInteger(count) && count >= 1 && count <= commandCoinsMax ? count : undefined;
}

/** A coin or bill named by id, minor units or major units. */
export function resolveDenomination(
  currency: CurrencyCode,
  kind: 'coin' | 'bill',
  word: string,
): Denomination | undefined {
  const all = denominationsOf(currency, kind);
  const byId = all.find((d) => d.ccTalkId === word.toUpperCase());
  if (byId) return byId;
  const value = Number(word);
  if (!Number.isFinite(value) || value <= 0) return undefined;
  const minor = all.find((d) => d.valueMinor === value);
  const major = all.find((d) => d.valueMinor === Math.round(value * minorPerMajor(currency)));
  return kind === 'coin' ? (minor ?? major) : (major ?? minor);
}

export interface CommandContext {
  readonly sim: Simulator;
  readonly currency: CurrencyCode;
  /** Where `receipt` writes its files. */
  readonly receiptsDir: string;
}

/** Runs one command line; resolves with what to tell the tech. Unknown input is answered, never thrown. */
export async function runCommand(context: CommandContext, line: string): Promise<string> {
  const { sim, currency } = context;
  const words = line.trim().split(/\s+/).filter(Boolean);
  const [command, ...args] = words;
  const need = <T>(device: T | undefined, name: string): T => {
    if (!device) throw new CommandError(`no ${name} is simulated (start with --${name})`);
    return device;
  };
  const money = (minor: number): string => formatMoney(minor, currency);
  try {
    switch (command?.toLowerCase()) {
      case undefined:
        return '';
      case 'help':
        return helpText;
      case 'insert': {
        const coin = need(sim.coin, 'coin');
        const d = args[0] ? resolveDenomination(currency, 'coin', args[0]) : undefined;
        const count = parseCount(args[1]);
        if (!d || count === undefined) return `usage: insert <coin> [xN]; coins: ${coinIds(currency)}`;
        const outcomes = new Map<string, number>();
        for (let i = 0; i < count; i += 1) {
          if (i > 0) await sim.clock.sleep(coinInsertIntervalMs);
          const outcome = coin.insert(d.ccTalkId);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        }
        return `${d.ccTalkId}: ${[...outcomes].map(([o, n]) => `${n} ${o}`).join(', ')}`;
      }
      case 'reject':
        need(sim.coin, 'coin').reject();
        return 'slug rejected';
      case 'jam':
        need(sim.coin, 'coin').jam();
        return 'coin acceptor jammed';
      case 'clearjam':
        need(sim.coin, 'coin').clearJam();
        return 'jam cleared';
      case 'fraud':
        need(sim.coin, 'coin').fraud();
        return 'coin-on-string reported';
      case 'flightdeck':
        need(sim.coin, 'coin').flightDeckOpen();
        return 'flight deck opened';
      case 'drop': {
        const n = Number(args[0]);
        const d = args[1]
          ? resolveDenomination(currency, 'coin', args[1])
          : denominationsOf(currency, 'coin')[0];
        if (!Number.isInteger(n) || n < 1 || n > commandCoinsMax || !d) return 'usage: drop <n> <coin>';
        need(sim.coin, 'coin').dropEvents(n, d.ccTalkId);
        return `${n + 5} x ${d.ccTalkId} at once: ${n} events fall off the buffer`;
      }
      case 'bill': {
        const bill = need(sim.bill, 'bill');
        const d = args[0] ? resolveDenomination(currency, 'bill', args[0]) : undefined;
        if (!d)
          return `usage: bill <bill>; bills: ${denominationsOf(currency, 'bill')
            .map((b) => b.ccTalkId)
            .join(' ')}`;
        return `${d.ccTalkId}: ${bill.insert(d.ccTalkId)}`;
      }
      case 'stacker': {
        const bill = need(sim.bill, 'bill');
        const action = args[0];
        if (action === 'full') bill.fillStacker();
        else if (action === 'empty') bill.emptyStacker();
        else if (action === 'remove') bill.removeStacker();
        else if (action === 'insert') bill.insertStacker();
        else return 'usage: stacker full|empty|remove|insert';
        return `stacker ${action}`;
      }
      case 'billjam':
        need(sim.bill, 'bill').jam();
        return 'bill jammed';
      case 'billclear':
        need(sim.bill, 'bill').clearJam();
        return 'bill jam cleared';
      case 'pour': {
        const counter = need(sim.counter, 'counter');
        const coins = Number(args[0]);
        const at = args.indexOf('at');
        const rej = args.indexOf('reject');
        const cpm = at >= 0 ? Number(args[at + 1]) : 1_200;
        const rejectPercent = rej >= 0 ? Number(args[rej + 1]) : 2;
        if (!Number.isInteger(coins) || coins < 1 || coins > commandCoinsMax)
          return 'usage: pour <n> [at <cpm>] [reject <percent>]';
        if (!(cpm >= coinsPerMinuteMin && cpm <= coinsPerMinuteMax))
          return `rate must be ${coinsPerMinuteMin}-${coinsPerMinuteMax} coins/min`;
        if (!(rejectPercent >= 0 && rejectPercent <= 100)) return 'reject percent must be 0-100';
        const before = { ...counter.totals };
        await counter.pour({ coins, coinsPerMinute: cpm, rejectRate: rejectPercent / 100 });
        return `poured ${coins}: ${counter.totals.count - before.count} counted (${money(
          counter.totals.valueMinor - before.valueMinor,
        )}), ${counter.totals.rejected - before.rejected} rejected`;
      }
      case 'door': {
        const counter = need(sim.counter, 'counter');
        if (args[0] !== 'open' && args[0] !== 'close') return 'usage: door open|close';
        counter.doorOpen = args[0] === 'open';
        return `door ${args[0]}`;
      }
      case 'powercycle': {
        const which = args[0] ?? 'coin';
        if (which === 'coin') need(sim.coin, 'coin').powerCycle();
        else if (which === 'bill') need(sim.bill, 'bill').powerCycle();
        else if (which === 'counter') need(sim.counter, 'counter').powerCycle();
        else return 'usage: powercycle [coin|bill|counter]';
        return `${which} power-cycled: event counter back to 0`;
      }
      case 'unplug':
      case 'plug': {
        const device = (args[0] ?? 'coin') as SimDeviceName;
        if (!simDeviceNames.includes(device)) return `usage: ${command} <${simDeviceNames.join('|')}>`;
        if (command === 'unplug') sim.unplug(device);
        else sim.plug(device);
        return `${device} ${command}ged`;
      }
      case 'garbage': {
        const n = Math.min(Number(args[0] ?? 16), 256);
        if (!Number.isInteger(n) || n < 1) return 'usage: garbage [n]';
        const bytes = Uint8Array.from({ length: n }, (_v, i) => (i * 73 + 41) & 0xff);
        need(sim.coin, 'coin').link.writeGarbage(bytes);
        return `${n} bytes of noise sent`;
      }
      case 'slow': {
        const ms = Number(args[0]);
        if (!Number.isInteger(ms) || ms < 0 || ms > 10_000) return 'usage: slow <ms>';
        need(sim.coin, 'coin').link.options.replyLatencyMs = ms;
        return `coin acceptor answers after ${ms} ms`;
      }
      case 'echo': {
        if (args[0] !== 'on' && args[0] !== 'off') return 'usage: echo on|off';
        need(sim.coin, 'coin').link.options.echo = args[0] === 'on';
        return `echo ${args[0]}`;
      }
      case 'scan': {
        const text = args[0];
        if (!text) return 'usage: scan <text> [symbology]';
        await need(sim.scanner, 'scanner').scan(text, args[1] ?? 'code128');
        return `scanned ${text}`;
      }
      case 'paper':
      case 'cover': {
        const printer = need(sim.printer, 'printer');
        if (command === 'paper') printer.paperOut = args[0] === 'out';
        else printer.coverOpen = args[0] === 'open';
        return `${command} ${args[0] ?? ''}`;
      }
      case 'receipt': {
        const printer = need(sim.printer, 'printer');
        const receipt = printer.receipts.at(-1);
        if (!receipt) return 'no receipt printed yet';
        await mkdir(context.receiptsDir, { recursive: true });
        const base = join(context.receiptsDir, `receipt-${printer.receipts.length}`);
        const text = printer.text(receipt);
        await writeFile(`${base}.txt`, `${text}\n`);
        await writeFile(`${base}.png`, await printer.png(receipt));
        return `${text}\n(saved ${base}.txt and ${base}.png)`;
      }
      case 'status':
        return statusText(sim, money);
      case 'wait': {
        const ms = Number(args[0]);
        if (!Number.isInteger(ms) || ms < 0 || ms > 600_000) return 'usage: wait <ms>';
        await sim.clock.sleep(ms);
        return '';
      }
      default:
        return `unknown command "${command}"; type help`;
    }
  } catch (error) {
    if (error instanceof CommandError) return error.message;
    throw error;
  }
}

class CommandError extends Error {}

function coinIds(currency: CurrencyCode): string {
  return denominationsOf(currency, 'coin')
    .map((d) => d.ccTalkId)
    .join(' ');
}

function statusText(sim: Simulator, money: (minor: number) => string): string {
  const lines: string[] = [];
  const totals = (t: {
    count: number;
    valueMinor: number;
    rejected: number;
    byCcTalkId: Record<string, number>;
  }) =>
    `accepted ${t.count} (${money(t.valueMinor)}), rejected ${t.rejected}; ${Object.entries(t.byCcTalkId)
      .map(([id, n]) => `${id} x${n}`)
      .join(' ')}`;
  for (const [name, url] of Object.entries(sim.urls)) lines.push(`${name.padEnd(8)} ${url}`);
  if (sim.coin) {
    lines.push(
      `coin:    ${sim.coin.accepting ? 'accepting' : 'inhibited'}, event counter ${sim.coin.eventCounter}, ${totals(sim.coin.totals)}`,
    );
  }
  if (sim.bill)
    lines.push(`bill:    escrow ${sim.bill.billInEscrow?.ccTalkId ?? 'empty'}, ${totals(sim.bill.totals)}`);
  if (sim.counter) {
    lines.push(
      `counter: ${sim.counter.isCounting ? 'counting' : 'idle'}, door ${sim.counter.doorOpen ? 'open' : 'closed'}, ${totals(sim.counter.totals)}`,
    );
  }
  if (sim.printer) {
    lines.push(
      `printer: ${sim.printer.receipts.length} receipts, paper ${sim.printer.paperOut ? 'OUT' : 'ok'}, cover ${sim.printer.coverOpen ? 'OPEN' : 'closed'}`,
    );
  }
  lines.push(`total accepted: ${money(sim.accepted().totalMinor)}`);
  return lines.join('\n');
}
