import { DepositLocationListSchema, locationsApiPath } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, ScreenHeading } from '../../common/components.js';
import type { WalletContext } from '../app.js';

type Location = z.output<typeof DepositLocationListSchema>['locations'][number];
type KioskStatus = Location['kiosks'][number]['status'];

const kioskClass: Record<KioskStatus, string> = {
  online: 'status-good',
  offline: 'status-warn',
  outOfService: 'status-bad',
};

/** Stores where the shopper can pay cash in, with their till and each kiosk's state right now. */
export function LocationsScreen(context: WalletContext) {
  const { words, session } = context;
  const [locations, setLocations] = useState<Location[] | null>(null);
  useEffect(() => {
    void (async () => {
      const result = await callApi(locationsApiPath, DepositLocationListSchema, {
        token: session?.token ?? null,
      });
      if (result.ok) setLocations(result.value.locations);
      else context.showError(result.code, result.details);
    })();
  }, []);
  return (
    <section class="screen">
      <ScreenHeading text={words.t('locations.title')} screen="locations" />
      <p class="lead">{words.t('locations.body')}</p>
      {locations === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : locations.length === 0 ? (
        <p class="muted">{words.t('locations.none')}</p>
      ) : (
        <ul class="history" aria-label={words.t('locations.title')}>
          {locations.map((location, index) => (
            <li key={index} class="entry location">
              <h2 class="location-name">{location.storeName}</h2>
              {location.address !== null && <p class="location-address">{location.address}</p>}
              <ul class="location-ways">
                {location.till && (
                  <li>
                    <span>{words.t('locations.till')}</span>
                    <span class="status status-good">{words.t('locations.tillOpen')}</span>
                  </li>
                )}
                {location.kiosks.map((kiosk, kioskIndex) => (
                  <li key={kioskIndex}>
                    <span>{words.t('locations.kiosk', { name: kiosk.name })}</span>
                    <span class={`status ${kioskClass[kiosk.status]}`}>
                      {words.t(`locations.status.${kiosk.status}`)}
                    </span>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
      <Button kind="link" onClick={() => context.go('')}>
        {words.t('code.back')}
      </Button>
    </section>
  );
}
