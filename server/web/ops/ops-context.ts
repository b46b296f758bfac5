import type { ApiFailure } from '../common/api.js';
import type { Words } from '../common/i18n.js';
import type { OpsMessageKey } from './messages.js';

export type OpsWords = Words<OpsMessageKey>;

/** What every ops screen gets: words, the operator's token, and the shared banner. */
export interface OpsContext {
  words: OpsWords;
  token: string;
  /** The signed-in person's staff id, or null for the service token. */
  staffId: string | null;
  fail: (failure: ApiFailure) => void;
  notify: (text: string) => void;
  /** Each new attempt starts without the last one's message. */
  clear: () => void;
}
