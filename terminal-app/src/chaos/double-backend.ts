import type { Code, FakeClock } from '@cashin/shared';
import { generateCode } from '@cashin/shared';
import { startTerminalServerDouble } from '../testing/terminal-server-double.js';
import type { ChaosBackend } from './chaos-backend.js';

/** TEST DOUBLE backend: the terminal-channel double, for exercising the chaos rig itself. */
export async function doubleBackend(_clock?: FakeClock): Promise<ChaosBackend> {
  const token = 'chaos-double-enrollment-token';
  const server = await startTerminalServerDouble('chaos-1', null, token);
  return {
    name: 'terminal-channel test double',
    baseUrl: server.baseUrl,
    fetch: (input, init) => fetch(input, init),
    enrollmentToken: async () => token,
    newShopperCode: async (): Promise<Code> => {
      const code = generateCode('deposit');
      server.shoppers.set(code, { maskedName: 'Chaos S.', remainingMinor: 10_000_000, balanceMinor: 0 });
      return code;
    },
    creditedByDeposit: async () =>
      new Map([...server.deposits.values()].map((d) => [d.depositId, d.totalMinor])),
    bagDebitedMinor: async () =>
      [...server.deposits.values()].reduce((sum, deposit) => sum + deposit.totalMinor, 0),
    close: () => server.close(),
  };
}
