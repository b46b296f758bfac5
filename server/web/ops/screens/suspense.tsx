import { SuspenseListSchema } from '@cashin/shared';
import { TableScroll } from '../../common/components.js';
import { ListBody } from '../list-body.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

export function SuspenseSection(context: OpsContext) {
  const { words } = context;
  const [list, refresh] = useList(context, opsPaths.suspense, SuspenseListSchema);
  return (
    <ListSection title={words.t('suspense.title')} screen="suspense" words={words} onRefresh={refresh}>
      <ListBody items={list?.entries ?? null} words={words}>
        {(entries) => (
          <TableScroll label={words.t('suspense.title')} stack>
            <table>
              <thead>
                <tr>
                  <th scope="col">{words.t('suspense.created')}</th>
                  <th scope="col" class="number">
                    {words.t('suspense.amount')}
                  </th>
                  <th scope="col">{words.t('suspense.reason')}</th>
                  <th scope="col">{words.t('suspense.claim')}</th>
                  <th scope="col">{words.t('suspense.status')}</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td>{words.dateTime(entry.createdAtMs)}</td>
                    <td class="number">{words.money(entry.amountMinor, entry.currency)}</td>
                    <td>{words.t(`suspense.${entry.reason}`)}</td>
                    <td>{entry.claimCodeMasked ?? '—'}</td>
                    <td>{words.t(`suspense.${entry.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </ListBody>
    </ListSection>
  );
}
