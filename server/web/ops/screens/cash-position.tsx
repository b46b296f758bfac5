import type { CashPosition } from '@cashin/shared';
import { CashPositionSchema } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApiText } from '../../common/api.js';
import { Button, TableScroll } from '../../common/components.js';
import { downloadText } from '../download.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext, OpsWords } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';
import { signedMoney } from '../signed-money.js';

type Position = CashPosition['currencies'][number];

/** The columns, in the order the cash travels, then what it is held against. */
const columns = [
  ['kioskBagsMinor', 'position.kioskBags'],
  ['storeDrawersMinor', 'position.storeDrawers'],
  ['cashInTransitMinor', 'position.inTransit'],
  ['bankMinor', 'position.bank'],
  ['cashMinor', 'position.cash'],
  ['walletsMinor', 'position.wallets'],
  ['suspenseMinor', 'position.suspense'],
  ['feeIncomeMinor', 'position.feeIncome'],
] as const satisfies readonly (readonly [keyof Position, string])[];

function CheckCell({ words, position }: { words: OpsWords; position: Position }) {
  return position.balanced ? (
    <span class="status status-good">{words.t('position.balanced')}</span>
  ) : (
    <span class="status status-bad">{words.t('position.unbalanced')}</span>
  );
}

/**
 * Where the network's money is now, per currency, from the ledger: the cash in kiosk bags, store drawers,
 * in transit and at the bank, against what shoppers are owed, suspense, fees and the net over/short; and
 * whether the two sides agree. What ops reconcile before anything else.
 */
export function CashPositionSection(context: OpsContext) {
  const { words, token } = context;
  const [position, refresh] = useList(context, opsPaths.cashPosition, CashPositionSchema);
  const [downloading, setDownloading] = useState(false);
  // The server's own CSV, a fresh report: the file is named by the time its first row says it is of.
  const downloadCsv = async (): Promise<void> => {
    context.clear();
    setDownloading(true);
    const result = await callApiText(opsPaths.cashPositionCsv, 'text/csv', { token });
    setDownloading(false);
    if (!result.ok) return context.fail(result);
    const asOf = /\r\n(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(result.value)?.[1];
    downloadText(`cash-position-${(asOf ?? 'now').replaceAll(':', '-')}Z.csv`, result.value);
  };
  return (
    <ListSection title={words.t('position.title')} screen="position" words={words} onRefresh={refresh}>
      <p class="field-hint">{words.t('position.hint')}</p>
      {position && (
        <p role="status" data-testid="position-as-of">
          {words.t('position.asOf', { when: words.dateTime(position.asOfMs) })}
        </p>
      )}
      <ListBody items={position?.currencies ?? null} words={words}>
        {(currencies) => (
          <TableScroll label={words.t('position.title')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('position.currency')}</th>
                  {columns.map(([, label]) => (
                    <th scope="col" class="number" key={label}>
                      {words.t(label)}
                    </th>
                  ))}
                  <th scope="col" class="number">
                    {words.t('position.overShort')}
                  </th>
                  <th scope="col">{words.t('position.check')}</th>
                </tr>
              </thead>
              <tbody>
                {currencies.map((one) => (
                  <tr key={one.currency} data-testid={`position-${one.currency}`}>
                    <th scope="row">{one.currency}</th>
                    {columns.map(([field]) => (
                      <td class="number" key={field} data-field={field}>
                        {words.money(one[field], one.currency)}
                      </td>
                    ))}
                    <td class="number" data-field="overShortMinor">
                      {signedMoney(words, one.overShortMinor, one.currency)}
                    </td>
                    <td>
                      <CheckCell words={words} position={one} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
      {position !== null && position.currencies.length > 0 && (
        <Button onClick={() => void downloadCsv()} busy={downloading}>
          {words.t('position.csv')}
        </Button>
      )}
    </ListSection>
  );
}
