import { SettlementSchema } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi, callApiText } from '../../common/api.js';
import { Button, Field, Form, TableScroll } from '../../common/components.js';
import type { Bar } from '../chart.js';
import { BarChart } from '../chart.js';
import { downloadText } from '../download.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { RemittanceSection } from './remittances.js';

/** Days the deposits chart covers: one settlement request per day, so it stays small. */
export const chartDaysMax = 14;

type Settlement = z.output<typeof SettlementSchema>;

/** The store's business day N days before `date` (YYYY-MM-DD), by calendar arithmetic in UTC. */
function dayBefore(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) - days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

export function SettlementsSection(context: OpsContext) {
  const { words, token } = context;
  const [storeId, setStoreId] = useState('');
  // Empty until chosen: the server then answers the day it is now at the store, which neither the UTC
  // date nor this browser's date is (a store eight hours behind UTC is still on yesterday at 20:00 UTC).
  const [date, setDate] = useState('');
  const [days, setDays] = useState<Settlement[] | null>(null);
  const show = async (): Promise<void> => {
    context.clear();
    const store = storeId.trim();
    let shownDate = date;
    if (shownDate === '') {
      const today = await callApi(opsPaths.settlement(store), SettlementSchema, { token });
      if (!today.ok) return context.fail(today);
      shownDate = today.value.date;
      setDate(shownDate);
    }
    // The chosen day and the days before it, for the chart; oldest first.
    const dates = Array.from({ length: chartDaysMax }, (_, index) =>
      dayBefore(shownDate, chartDaysMax - 1 - index),
    );
    const results = await Promise.all(
      dates.map((day) => callApi(opsPaths.settlement(store, day), SettlementSchema, { token })),
    );
    const failed = results.find((result) => !result.ok);
    if (failed && !failed.ok) return context.fail(failed);
    setDays(results.flatMap((result) => (result.ok ? [result.value] : [])));
  };
  const [downloading, setDownloading] = useState(false);
  // The server's own CSV of the report on screen, so the file and the ledger cannot disagree.
  const downloadCsv = async (shown: Settlement): Promise<void> => {
    context.clear();
    setDownloading(true);
    const result = await callApiText(opsPaths.settlementCsv(shown.storeId, shown.date), 'text/csv', {
      token,
    });
    setDownloading(false);
    if (!result.ok) return context.fail(result);
    downloadText(`settlement-${shown.storeId}-${shown.date}.csv`, result.value);
  };
  const report = days?.at(-1) ?? null;
  const money = (minor: number): string => (report ? words.money(minor, report.currency) : '');
  const bars: Bar[] = (days ?? []).map((day) => {
    const total = day.tillDeposits.totalMinor - day.tillVoids.totalMinor + day.kioskDeposits.totalMinor;
    return { label: day.date.slice(5), value: total, valueText: words.money(total, day.currency) };
  });
  return (
    <ListSection title={words.t('settlements.title')} screen="settlements" words={words}>
      <Form onSubmit={() => void show()}>
        <div class="columns">
          <Field
            id="settlement-store"
            label={words.t('settlements.store')}
            value={storeId}
            onInput={setStoreId}
            required
          />
          <div class="field">
            <label for="settlement-date">{words.t('settlements.date')}</label>
            <input
              id="settlement-date"
              type="date"
              value={date}
              aria-describedby="settlement-date-hint"
              onInput={(event) => setDate(event.currentTarget.value)}
            />
            <p id="settlement-date-hint" class="field-hint">
              {words.t('settlements.dateHint')}
            </p>
          </div>
        </div>
        <Button
          kind="primary"
          type="submit"
          disabled={!storeId.trim() || (date !== '' && !/^\d{4}-\d{2}-\d{2}$/.test(date))}
        >
          {words.t('settlements.show')}
        </Button>
      </Form>
      {report && (
        <>
          <TableScroll label={words.t('settlements.title')}>
            <table>
              <caption>
                {report.storeName} · {report.date} · {report.timeZone}
              </caption>
              <thead>
                <tr>
                  <th scope="col" />
                  <th scope="col" class="number">
                    {words.t('settlements.count')}
                  </th>
                  <th scope="col" class="number">
                    {words.t('settlements.total')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {(
                  [
                    ['settlements.tillDeposits', report.tillDeposits],
                    ['settlements.tillVoids', report.tillVoids],
                    ['settlements.kioskDeposits', report.kioskDeposits],
                  ] as const
                ).map(([key, line]) => (
                  <tr key={key}>
                    <th scope="row">{words.t(key)}</th>
                    <td class="number">{line.count}</td>
                    <td class="number">{money(line.totalMinor)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">{words.t('settlements.owed')}</th>
                  <td />
                  <td class="number" data-testid="settlement-owed">
                    <strong>{money(report.owedMinor)}</strong>
                  </td>
                </tr>
              </tbody>
            </table>
          </TableScroll>
          <p class="field-hint" data-testid="settlement-voids-note">
            {words.t('settlements.voidsNote')}
          </p>
          <Button onClick={() => void downloadCsv(report)} busy={downloading}>
            {words.t('settlements.csv')}
          </Button>
          <BarChart
            bars={bars}
            title={words.t('settlements.chart', { days: bars.length })}
            summary={words.t('settlements.chartSummary', {
              from: days?.[0]?.date ?? '',
              to: report.date,
              max: words.money(Math.max(0, ...bars.map((bar) => bar.value)), report.currency),
            })}
          />
          <RemittanceSection {...context} storeId={report.storeId} />
        </>
      )}
    </ListSection>
  );
}
