import { createInterface } from 'node:readline/promises';
import { parseArguments, usageText } from './cli/arguments.js';
import { helpText, runCommand } from './cli/commands.js';
import type { CommandContext } from './cli/commands.js';
import { loadScript } from './cli/script.js';
import { Simulator } from './simulator.js';

// The field tech's simulator: `npm run sim -- --help`. Configuration comes from argv only, parsed once.
async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (!parsed.ok) {
    console.error(`${parsed.problem}\n\n${usageText}`);
    return 2;
  }
  const { args } = parsed;
  if (args.help) {
    console.log(`${usageText}\n\n${helpText}`);
    return 0;
  }
  const sim = await Simulator.start({
    currency: args.currency,
    devices: args.devices,
    echo: args.echo,
    baud: args.fast ? undefined : 9600,
  });
  const context: CommandContext = { sim, currency: args.currency, receiptsDir: args.receiptsDir };
  console.log(`simulating (${args.currency}); point the kiosk at:`);
  for (const [name, url] of Object.entries(sim.urls)) console.log(`  ${name.padEnd(8)} ${url}`);

  try {
    if (args.script) {
      const script = await loadScript(args.script);
      for (const step of script.steps) {
        console.log(`> ${step}`);
        const answer = await runCommand(context, step);
        if (answer) console.log(answer);
      }
      if (script.expectAcceptedMinor !== undefined) {
        const accepted = sim.accepted().totalMinor;
        if (accepted !== script.expectAcceptedMinor) {
          console.error(`expected ${script.expectAcceptedMinor} accepted, simulator accepted ${accepted}`);
          return 1;
        }
      }
      return 0;
    }
    if (args.noPrompt) {
      // Headless: the devices answer the kiosk until the system is stopped.
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      return 0;
    }
    const prompt = createInterface({ input: process.stdin, output: process.stdout, prompt: 'sim> ' });
    prompt.prompt();
    for await (const line of prompt) {
      if (/^(quit|exit)$/i.test(line.trim())) break;
      const answer = await runCommand(context, line);
      if (answer) console.log(answer);
      prompt.prompt();
    }
    prompt.close();
    return 0;
  } finally {
    await sim.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
