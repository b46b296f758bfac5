import path from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

// Lints source text as if it sat at a path in the repository, with the project's real eslint.config.js,
// so this fails if the boundaries rule is removed from the config or stops catching an import. The texts
// are not files any tsconfig knows, so type-aware rules are switched off; the boundaries rule needs no types.
const root = path.resolve(import.meta.dirname, '../../..');
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root, overrideConfig: [tseslint.configs.disableTypeChecked] });
});

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, filePath) });
  const fatal = result?.messages.find((m) => m.fatal);
  if (fatal) throw new Error(fatal.message);
  return (result?.messages ?? []).filter((m) => m.ruleId === 'cashin/boundaries').map((m) => m.message);
}

describe('import boundaries', () => {
  it('fail a file in shared that imports node:fs', async () => {
    const errors = await boundaryErrors(
      'shared/src/money/leak.ts',
      "import { readFileSync } from 'node:fs';\nexport const read = readFileSync;\n",
    );
    expect(errors).toHaveLength(1);
  });

  it('fail shared importing a bare Node built-in or another part of the system', async () => {
    expect(
      await boundaryErrors('shared/src/x.ts', "import path from 'path';\nexport const p = path;\n"),
    ).toHaveLength(1);
    expect(
      await boundaryErrors('shared/src/x.ts', "export * from '../../server/src/index.js';\n"),
    ).toHaveLength(1);
    expect(await boundaryErrors('shared/src/x.ts', "export * from '@cashin/server';\n")).toHaveLength(1);
  });

  it('let shared import zod and its own files', async () => {
    expect(
      await boundaryErrors(
        'shared/src/x.ts',
        "import { z } from 'zod';\nimport { money } from './money/money.js';\nexport const s = [z, money];\n",
      ),
    ).toEqual([]);
  });

  it('allow serialport and node-hid only in the device-opening module', async () => {
    const source =
      "import { SerialPort } from 'serialport';\nimport HID from 'node-hid';\nexport const s = [SerialPort, HID];\n";
    expect(await boundaryErrors('terminal-app/src/ports/open-port.ts', source)).toEqual([]);
    expect(await boundaryErrors('terminal-app/src/devices/cctalk/host.ts', source)).toHaveLength(2);
    expect(
      await boundaryErrors(
        'hardware-sim/src/coin.ts',
        "import { ReadlineParser } from '@serialport/parser-readline';\nexport const r = ReadlineParser;\n",
      ),
    ).toHaveLength(1);
  });

  it('let the kiosk UI import only the bridge and shared', async () => {
    expect(
      await boundaryErrors(
        'terminal-app/src/ui/screens/insert.tsx',
        "import { formatMoney } from '@cashin/shared';\nimport { connect } from '../../bridge/client.js';\nexport const s = [formatMoney, connect];\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'terminal-app/src/ui/screens/insert.tsx',
        "import { openJournal } from '../../journal/journal.js';\nexport const j = openJournal;\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'terminal-app/src/ui/app.tsx',
        "import fs from 'node:fs';\nexport const f = fs;\n",
      ),
    ).toHaveLength(1);
    expect(
      await boundaryErrors(
        'terminal-app/src/ui/app.tsx',
        "import Database from 'better-sqlite3';\nexport const d = Database;\n",
      ),
    ).toHaveLength(1);
  });
});
