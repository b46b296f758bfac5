import { CodedError } from '@cashin/shared';

/**
 * Group commit for a database that answers over a socket: items submitted while a call is in flight wait
 * and then travel together in the next call, so under load many items share one round trip and one
 * COMMIT, while a lone item on an idle server goes at once (it waits only for the current event-loop turn,
 * so the requests read in that turn join it). `run` answers one result per item, in order; if the call
 * itself fails, every item of that call is rejected with the error (nothing of it is acknowledged).
 * Past `queueItemsMax` waiting items the database is not keeping up: a new item is refused at once
 * (SERVICE_UNAVAILABLE, so the client retries later) rather than queued into latencies no client waits for.
 */
export class CallBatcher<I, O> {
  private readonly queue: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: readonly I[]) => Promise<readonly O[]>,
    private readonly itemsPerCallMax: number,
    private readonly callsInFlightMax: number,
    private readonly queueItemsMax: number,
  ) {}

  submit(item: I): Promise<O> {
    if (this.queue.length >= this.queueItemsMax) return Promise.reject(new CodedError('SERVICE_UNAVAILABLE'));
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.callsInFlightMax || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(this.start);
  }

  private readonly start = (): void => {
    this.scheduled = false;
    while (this.inFlight < this.callsInFlightMax && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.itemsPerCallMax);
      this.inFlight += 1;
      this.run(batch.map((entry) => entry.item))
        .then(
          (results) => {
            batch.forEach((entry, index) => {
              if (index < results.length) entry.resolve(results[index] as O);
              else entry.reject(new Error('a batched call answered fewer results than items'));
            });
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          this.inFlight -= 1;
          this.schedule();
        });
    }
  };
}
