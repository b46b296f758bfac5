import type { SeededRandom } from '@cashin/shared';

/**
 * A network link with faults, for chaos runs and the whole-kiosk simulation: it sits where `fetch` sits and
 * drops requests before they leave, loses answers after the server has acted on them, sends requests twice,
 * delays them, answers from a failing gateway in front of the server, or is down altogether. Every decision comes from a seeded random source, so a run replays.
 * Requests only go where the wrapped fetch sends them: the caller points it at 127.0.0.1.
 */
export interface LinkFaults {
  /** The link is cut: every request fails at once. */
  down: boolean;
  /** Probability that a request is lost before the server sees it. */
  dropRequest: number;
  /** Probability that the server acts and the answer is lost on the way back. */
  loseAnswer: number;
  /** Probability that the request arrives twice (a retrying proxy); the caller sees one answer. */
  duplicate: number;
  /** Each request waits a uniform 0..delayMsMax before it is sent. */
  delayMsMax: number;
  /**
   * Probability that a gateway in front of the server (a load balancer with no healthy backend) answers
   * 503 with an HTML page; the server never sees the request.
   */
  gatewayError: number;
}

export const noFaults: LinkFaults = {
  down: false,
  dropRequest: 0,
  loseAnswer: 0,
  duplicate: 0,
  delayMsMax: 0,
  gatewayError: 0,
};

export interface LinkStats {
  sent: number;
  dropped: number;
  answersLost: number;
  duplicated: number;
  refusedWhileDown: number;
  gatewayErrors: number;
}

export interface FaultyLink {
  fetch: typeof fetch;
  faults: LinkFaults;
  readonly stats: LinkStats;
}

export class LinkFault extends TypeError {
  override name = 'LinkFault';
}

export function createFaultyLink(options: {
  random: SeededRandom;
  faults?: Partial<LinkFaults>;
  target?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}): FaultyLink {
  const target = options.target ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const stats: LinkStats = {
    sent: 0,
    dropped: 0,
    answersLost: 0,
    duplicated: 0,
    refusedWhileDown: 0,
    gatewayErrors: 0,
  };
  const link: FaultyLink = {
    faults: { ...noFaults, ...options.faults },
    stats,
    fetch: async (input, init) => {
      const { random } = options;
      const faults = link.faults;
      // Decide everything up front, in a fixed order, so the same seed makes the same choices.
      const delayMs = faults.delayMsMax > 0 ? random.int(0, faults.delayMsMax) : 0;
      const drop = random.chance(faults.dropRequest);
      const duplicate = random.chance(faults.duplicate);
      const loseAnswer = random.chance(faults.loseAnswer);
      // Drawn only when asked for, so runs without gateway errors replay as they did before it existed.
      const gatewayError = faults.gatewayError > 0 && random.chance(faults.gatewayError);
      if (faults.down) {
        stats.refusedWhileDown += 1;
        throw new LinkFault('link down');
      }
      if (delayMs > 0) await sleep(delayMs);
      if (drop) {
        stats.dropped += 1;
        throw new LinkFault('request dropped');
      }
      if (gatewayError) {
        stats.gatewayErrors += 1;
        return new Response('<html><body><h1>503 Service Unavailable</h1></body></html>', {
          status: 503,
          headers: { 'content-type': 'text/html' },
        });
      }
      stats.sent += 1;
      if (duplicate) {
        stats.duplicated += 1;
        // The copy reaches the server too; whatever it answers is discarded, as a proxy's retry would be.
        const copy = await target(input, init).catch(() => undefined);
        await copy?.arrayBuffer().catch(() => undefined);
      }
      const response = await target(input, init);
      if (loseAnswer) {
        // Read the whole answer first: the server finished its work, and only then does the answer vanish.
        await response.arrayBuffer().catch(() => undefined);
        stats.answersLost += 1;
        throw new LinkFault('answer lost');
      }
      return response;
    },
  };
  return link;
}
