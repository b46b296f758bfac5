import { serviceTokenActor } from '@cashin/shared';
import type { OpsWords } from './ops-context.js';

/** Who acted, in the reader's words: a staff id or a terminal id as given, the service token by name. */
export function actorText(words: OpsWords, by: string): string {
  return by === serviceTokenActor ? words.t('staff.serviceToken') : by;
}
