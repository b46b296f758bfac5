/**
 * The simulator's running count of what it kept, so a test can compare it with what the kiosk credited.
 */
export interface AcceptedTotals {
  count: number;
  valueMinor: number;
  byCcTalkId: Record<string, number>;
  rejected: number;
}

export function emptyTotals(): AcceptedTotals {
  return { count: 0, valueMinor: 0, byCcTalkId: {}, rejected: 0 };
}

export function addAccepted(totals: AcceptedTotals, ccTalkId: string, valueMinor: number, count = 1): void {
  totals.count += count;
  totals.valueMinor += valueMinor * count;
  totals.byCcTalkId[ccTalkId] = (totals.byCcTalkId[ccTalkId] ?? 0) + count;
}
