import { languages } from '@cashin/shared';
import type { ScreenProps } from '../context.js';
import { ScreenHeading } from '../components/screen-heading.js';

export function AttractScreen({ snapshot, t, send }: ScreenProps) {
  return (
    <section class="screen screen-attract">
      <ScreenHeading text={t('attract.headline')} screen="attract" />
      <p class="lead">{t('attract.subline')}</p>
      <button type="button" class="primary huge" onClick={() => send({ type: 'start' })}>
        {t('attract.start')}
      </button>
      <div class="languages" role="group" aria-label={t('language.label')}>
        {languages.map((language) => (
          <button
            type="button"
            key={language}
            lang={language}
            aria-pressed={snapshot.language === language}
            onClick={() => send({ type: 'chooseLanguage', language })}
          >
            {t(`language.${language}`)}
          </button>
        ))}
      </div>
    </section>
  );
}
