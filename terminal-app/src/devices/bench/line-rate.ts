import { frameOverheadBytes } from '../cctalk/frame.js';

/** 8N1: a start bit, 8 data bits, a stop bit. */
const bitsPerByte = 10;

export interface LineRate {
  readonly exchangeBytes: number;
  readonly exchangeMs: number;
  readonly pollsPerSecondMax: number;
  readonly coinsPerSecondMax: number;
}

/**
 * The most a ccTalk line can carry for coin polling: every 229 exchange is the request (5 bytes), its
 * echo on a single-wire bus (5 more), and the reply (5 + 11 data bytes). Each poll can report at most
 * `bufferSize` coins, so the line caps coins/s at polls/s x buffer size; reply latency only lowers it.
 */
export function ccTalkLineRate(baud: number, echo: boolean, bufferSize: number): LineRate {
  const request = frameOverheadBytes;
  const reply = frameOverheadBytes + 1 + 2 * bufferSize;
  const exchangeBytes = request * (echo ? 2 : 1) + reply;
  const exchangeMs = (exchangeBytes * bitsPerByte * 1000) / baud;
  const pollsPerSecondMax = 1000 / exchangeMs;
  return { exchangeBytes, exchangeMs, pollsPerSecondMax, coinsPerSecondMax: pollsPerSecondMax * bufferSize };
}
