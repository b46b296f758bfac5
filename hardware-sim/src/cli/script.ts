import { readFile } from 'node:fs/promises';
import { z } from 'zod';

/** The most steps a scenario file may hold. */
export const scriptStepsMax = 10_000;

/**
 * A repeatable scenario: the same commands a tech types, in order. `expectAcceptedMinor`, when given, is
 * checked at the end, so a script doubles as a smoke test of a kiosk under test.
 *
 * ```json
 * { "steps": ["insert US025A x4", "bill 20", "wait 2000", "status"], "expectAcceptedMinor": 2100 }
 * ```
 */
export const SimScriptSchema = z.object({
  steps: z.array(z.string().min(1).max(200)).min(1).max(scriptStepsMax),
  expectAcceptedMinor: z.number().int().nonnegative().optional(),
});
export type SimScript = z.infer<typeof SimScriptSchema>;

export async function loadScript(path: string): Promise<SimScript> {
  const text = await readFile(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = SimScriptSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}
