import { splitAimPrefix } from './aim-symbology.js';

/**
 * Tells a keyboard-wedge scanner from a person at the keyboard by timing. A scanner "types" a whole code
 * in a burst, a few ms a key, then Enter or Tab; a person takes 100 ms or more a key. Pure and
 * browser-safe: the caller passes each key with its time (from the event's timeStamp or an injected
 * clock), so the kiosk UI, the till web app and a test all drive it the same way.
 */
export interface KeystrokeBurstOptions {
  /** The average gap between keys of a scan is at most this (limits: scanBurstKeyGapMsMax). */
  readonly keyGapMsMax: number;
  /** A scan has at least this many characters (limits: scanBurstCharsMin). */
  readonly charsMin: number;
  /** A scan is never longer than this; a longer burst is not a scan (limits: scanTextCharsMax). */
  readonly charsMax: number;
  /** Keys that end a scan (KeyboardEvent.key names). */
  readonly suffixKeys?: readonly string[];
}

export type KeystrokeOutcome =
  /** Still collecting; the caller should hold the key back from the focused field if it wants. */
  | { kind: 'pending' }
  /** A scan: the held keys were the scanner's. */
  | { kind: 'scan'; text: string; symbology: string }
  /** Not a scan: the held keys were typed by a person and belong to the focused field. */
  | { kind: 'typed'; keys: string[] };

const defaultSuffixKeys = ['Enter', 'Tab'];

export class KeystrokeBurstDetector {
  private keys: string[] = [];
  private firstMs = 0;
  private lastMs = 0;

  constructor(private readonly options: KeystrokeBurstOptions) {}

  /**
   * Feeds one key (`KeyboardEvent.key`: one character, or a name such as "Enter") pressed at `atMs`.
   * A gap far longer than a scanner's ends the burst before this key is considered.
   */
  key(key: string, atMs: number): KeystrokeOutcome {
    const suffix = (this.options.suffixKeys ?? defaultSuffixKeys).includes(key);
    if (this.keys.length > 0 && atMs - this.lastMs > this.options.keyGapMsMax * 3) {
      const typed = this.release();
      if (suffix) return { kind: 'typed', keys: [...typed, key] };
      this.start(key, atMs);
      return typed.length > 0 ? { kind: 'typed', keys: typed } : { kind: 'pending' };
    }
    if (suffix) return this.close(atMs, key);
    if (key.length !== 1) {
      // Shift, arrows and the like are not part of a code; they end any burst.
      return { kind: 'typed', keys: [...this.release(), key] };
    }
    if (this.keys.length === 0) this.start(key, atMs);
    else {
      this.keys.push(key);
      this.lastMs = atMs;
    }
    if (this.keys.length > this.options.charsMax) return { kind: 'typed', keys: this.release() };
    return { kind: 'pending' };
  }

  /** Called when no key came for a while (a timer the caller owns): whatever is held was typed. */
  flush(): KeystrokeOutcome {
    const typed = this.release();
    return typed.length > 0 ? { kind: 'typed', keys: typed } : { kind: 'pending' };
  }

  private start(key: string, atMs: number): void {
    this.keys = [key];
    this.firstMs = atMs;
    this.lastMs = atMs;
  }

  private close(atMs: number, suffix: string): KeystrokeOutcome {
    const keys = this.release();
    const gaps = keys.length; // n characters plus the suffix: n gaps
    const averageGapMs = gaps > 0 ? (atMs - this.firstMs) / gaps : Infinity;
    if (keys.length >= this.options.charsMin && averageGapMs <= this.options.keyGapMsMax) {
      return { kind: 'scan', ...splitAimPrefix(keys.join('')) };
    }
    return { kind: 'typed', keys: [...keys, suffix] };
  }

  private release(): string[] {
    const keys = this.keys;
    this.keys = [];
    return keys;
  }
}
