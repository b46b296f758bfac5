import type { TerminalIdentity } from './terminal-identity.js';
import { pinnedServerKeys, writeTerminalIdentity } from './terminal-identity.js';

/**
 * The server keys this kiosk believes (sync/signed-client.ts checks every answer against them), pinned in
 * its identity file. A rollover of the server's key changes them through heartbeat answers, which list
 * every key to believe: the list is taken only from an answer already signed by a pinned key, so nobody
 * but the server can change it. The server first lists the next key beside its own, then signs with the
 * next key (the kiosk believes it already), then drops the old one.
 *
 * A kiosk enrolled before the server signed its answers has no pin: it believes answers unchecked, and a
 * heartbeat does not pin it (an unchecked answer is not proof of the server), until it is enrolled again.
 */
export class ServerKeyPins {
  private identity: TerminalIdentity;

  constructor(
    private readonly dataDir: string,
    identity: TerminalIdentity,
  ) {
    this.identity = identity;
  }

  /** The keys to believe, or null when this kiosk checks nothing (enrolled before answers were signed). */
  list(): readonly string[] | null {
    return pinnedServerKeys(this.identity);
  }

  /**
   * A verified heartbeat answer's key list: pinned (and written to the identity file) when it holds other
   * keys than the pinned one. Answers whether the pins changed. An empty list (an older server) changes nothing.
   */
  heard(serverKeys: readonly string[]): boolean {
    const pinned = this.list();
    if (pinned === null || serverKeys.length === 0) return false;
    // Compared as sets: while server processes restart in a rollover, some list [old, next] and others
    // [next, old], and the file need not be written at every heartbeat.
    if (serverKeys.length === pinned.length && serverKeys.every((key) => pinned.includes(key))) return false;
    const identity = { ...this.identity, serverKeys: [...serverKeys] };
    writeTerminalIdentity(this.dataDir, identity);
    this.identity = identity;
    return true;
  }
}
