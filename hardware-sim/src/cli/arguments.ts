import type { CurrencyCode } from '@cashin/shared';
import { CurrencyCodeSchema } from '@cashin/shared';
import type { Endpoint, SimDeviceName } from '../simulator.js';
import { simDeviceNames } from '../simulator.js';

export const usageText = `Cash-in hardware simulator: coin acceptor, bill validator, bulk counter, scanner and printer,
speaking the same bytes as the real devices.

usage: npm run sim -- [--coin tcp:7001] [--bill tcp:7002] [--counter tcp:7005] [--scanner tcp:7003]
                      [--printer tcp:7004] [--pty] [--currency USD] [--no-echo] [--fast]
                      [--receipts <dir>] [--script scenario.json] [--no-prompt]

  --coin|--bill|--counter|--scanner|--printer <where>
        where a device listens: tcp:<port> (raw TCP, like ser2net; 0 picks a free port), pty (a socat pty
        pair; the kiosk opens the printed serial:// URL), or serial:<path> (a real serial port wired to
        the kiosk under test). With no device flags, all five start on TCP 7001-7005.
  --pty       every device given without a place (or all five) on its own pty pair
  --currency  coin and bill set (USD, MXN, EUR, GBP, INR, JPY); default USD
  --no-echo   no ccTalk single-wire echo (as behind some USB adapters)
  --fast      no 9600-baud byte pacing (faster than any real line)
  --receipts  where "receipt" saves text and PNG files (default ./receipts)
  --script    run a JSON scenario ({"steps": ["insert 25", ...]}) and exit instead of prompting
  --no-prompt keep the devices up without a prompt until stopped (SIGINT/SIGTERM), for a system started
              without a terminal
  --help      this text

Point the kiosk's devices config at the URLs printed at start-up. Type "help" at the prompt for commands.`;

const defaultTcpPorts: Record<SimDeviceName, number> = {
  coin: 7001,
  bill: 7002,
  scanner: 7003,
  printer: 7004,
  counter: 7005,
};

export interface CliArguments {
  readonly devices: Partial<Record<SimDeviceName, Endpoint>>;
  readonly currency: CurrencyCode;
  readonly echo: boolean;
  readonly fast: boolean;
  readonly receiptsDir: string;
  readonly script: string | undefined;
  readonly noPrompt: boolean;
  readonly help: boolean;
}

export type ParsedArguments = { ok: true; args: CliArguments } | { ok: false; problem: string };

function parseEndpoint(text: string): Endpoint | undefined {
  if (text === 'pty') return { kind: 'pty' };
  const tcp = /^tcp:(\d{1,5})$/.exec(text);
  if (tcp?.[1] && Number(tcp[1]) <= 65_535) return { kind: 'tcp', port: Number(tcp[1]) };
  const serial = /^serial:(\/.+)$/.exec(text);
  if (serial?.[1]) return { kind: 'serial', path: serial[1] };
  return undefined;
}

export function parseArguments(argv: readonly string[]): ParsedArguments {
  const devices: Partial<Record<SimDeviceName, Endpoint>> = {};
  const named = new Set<SimDeviceName>();
  let pty = false;
  let currency: CurrencyCode = 'USD';
  let echo = true;
  let fast = false;
  let receiptsDir = 'receipts';
  let script: string | undefined;
  let noPrompt = false;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] ?? '';
    const value = (): string | undefined => argv[++i];
    const device = flag.replace(/^--/, '') as SimDeviceName;
    if (simDeviceNames.includes(device)) {
      const next = argv[i + 1];
      named.add(device);
      if (next === undefined || next.startsWith('--')) continue;
      const endpoint = parseEndpoint(value() ?? '');
      if (!endpoint) return { ok: false, problem: `${flag}: expected tcp:<port>, pty or serial:<path>` };
      devices[device] = endpoint;
      continue;
    }
    switch (flag) {
      case '--pty':
        pty = true;
        break;
      case '--currency': {
        const parsed = CurrencyCodeSchema.safeParse(value());
        if (!parsed.success) return { ok: false, problem: '--currency: unknown currency' };
        currency = parsed.data;
        break;
      }
      case '--no-echo':
        echo = false;
        break;
      case '--fast':
        fast = true;
        break;
      case '--receipts': {
        const dir = value();
        if (!dir) return { ok: false, problem: '--receipts needs a directory' };
        receiptsDir = dir;
        break;
      }
      case '--script': {
        const file = value();
        if (!file) return { ok: false, problem: '--script needs a file' };
        script = file;
        break;
      }
      case '--no-prompt':
        noPrompt = true;
        break;
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        return { ok: false, problem: `unknown argument ${flag}` };
    }
  }
  const wanted = named.size > 0 ? [...named] : [...simDeviceNames];
  for (const name of wanted) {
    devices[name] ??= pty ? { kind: 'pty' } : { kind: 'tcp', port: defaultTcpPorts[name] };
  }
  return { ok: true, args: { devices, currency, echo, fast, receiptsDir, script, noPrompt, help } };
}
