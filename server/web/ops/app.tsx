import type { Language } from '@cashin/shared';
import { opsApiPaths } from '@cashin/shared';
import { z } from 'zod';
import { useState } from 'preact/hooks';
import { callApi, isSignedOut } from '../common/api.js';
import { AppLanguageSwitch, useDocumentLanguage } from '../common/app-language.js';
import { Banner, Button } from '../common/components.js';
import { initialLanguage, safeStorage, wordsFor } from '../common/i18n.js';
import { useRoute } from '../common/navigation.js';
import { TopBar } from '../common/top-bar.js';
import { opsMessages } from './messages.js';
import type { OpsContext } from './ops-context.js';
import { useNavCounts } from './nav-counts.js';
import { AlertsSection } from './screens/alerts.js';
import { AuditSection } from './screens/audit.js';
import { CashPositionSection } from './screens/cash-position.js';
import { CollectionsSection } from './screens/collections.js';
import { EnrollSection } from './screens/enroll.js';
import { FleetSection } from './screens/fleet.js';
import { LookupSection } from './screens/lookup.js';
import { ShoppersSection } from './screens/shoppers.js';
import { ReversalsSection } from './screens/reversals.js';
import { ReviewsSection } from './screens/reviews.js';
import { SettlementsSection } from './screens/settlements.js';
import { StoresSection } from './screens/stores.js';
import { SuspenseSection } from './screens/suspense.js';
import type { OpsSignedIn } from './sign-in.js';
import { SignIn } from './sign-in.js';
import { StaffSection } from './screens/staff.js';

const sections = [
  'fleet',
  'alerts',
  'reviews',
  'stores',
  'enroll',
  'collections',
  'position',
  'settlements',
  'reversals',
  'lookup',
  'shoppers',
  'suspense',
  'audit',
  'staff',
] as const;
type Section = (typeof sections)[number];
const tokenKey = 'cashin.ops.token';
const staffNameKey = 'cashin.ops.staffName';
const staffIdKey = 'cashin.ops.staffId';
const languageKey = 'cashin.ops.language';

export function App() {
  const [language, setLanguage] = useState<Language>(() => initialLanguage(languageKey));
  const [token, setToken] = useState<string | null>(
    () => safeStorage(sessionStorage)?.getItem(tokenKey) ?? null,
  );
  const [staffName, setStaffName] = useState<string | null>(
    () => safeStorage(sessionStorage)?.getItem(staffNameKey) ?? null,
  );
  const [staffId, setStaffId] = useState<string | null>(
    () => safeStorage(sessionStorage)?.getItem(staffIdKey) ?? null,
  );
  const [banner, setBanner] = useState<{ tone: 'error' | 'success'; text: string } | null>(null);
  const [route, go] = useRoute('/ops/');
  const section: Section = (sections as readonly string[]).includes(route) ? (route as Section) : 'fleet';
  const words = wordsFor(opsMessages, language, 'USD');
  useDocumentLanguage(language, words.t('app.title'));
  const counts = useNavCounts(token, `${section}|${banner?.text ?? ''}`);
  // What needs a look, beside its link: open alerts, deposits waiting for review.
  const badgeOf = (name: Section): { count: number; label: string } | null => {
    const count = name === 'alerts' ? counts.openAlerts : name === 'reviews' ? counts.reviewsWaiting : null;
    if (count === null || count === 0) return null;
    return {
      count,
      label: words.t(name === 'alerts' ? 'nav.alertsOpen' : 'nav.reviewsWaiting', { count }),
    };
  };

  const forget = (): void => {
    safeStorage(sessionStorage)?.removeItem(tokenKey);
    safeStorage(sessionStorage)?.removeItem(staffNameKey);
    safeStorage(sessionStorage)?.removeItem(staffIdKey);
    setToken(null);
    setStaffName(null);
    setStaffId(null);
  };
  // Signing out ends a person's session on the server too, so the token is dead even if it was copied.
  const signOut = (): void => {
    if (token) void callApi(opsApiPaths.session, z.unknown(), { method: 'DELETE', token });
    forget();
  };
  const signIn = (signedIn: OpsSignedIn): void => {
    safeStorage(sessionStorage)?.setItem(tokenKey, signedIn.token);
    if (signedIn.staffName !== null) safeStorage(sessionStorage)?.setItem(staffNameKey, signedIn.staffName);
    if (signedIn.staffId !== null) safeStorage(sessionStorage)?.setItem(staffIdKey, signedIn.staffId);
    setBanner(null);
    setToken(signedIn.token);
    setStaffName(signedIn.staffName);
    setStaffId(signedIn.staffId);
  };
  const context: OpsContext | null = token
    ? {
        words,
        token,
        staffId,
        fail: (failure) => {
          if (isSignedOut(failure.code) || failure.code === 'FORBIDDEN' || failure.code === 'STAFF_DISABLED')
            forget();
          setBanner({ tone: 'error', text: words.error(failure.code, failure.details) });
        },
        notify: (text) => setBanner({ tone: 'success', text }),
        clear: () => setBanner(null),
      }
    : null;

  return (
    <div class="app app-wide ops">
      <TopBar title={words.t('app.title')}>
        <div class="topbar-actions">
          {token && (
            <span class="signed-in-as">
              {staffName === null ? words.t('signIn.asService') : words.t('signIn.as', { name: staffName })}
            </span>
          )}
          {token && (
            <Button kind="link" onClick={signOut}>
              {words.t('nav.signOut')}
            </Button>
          )}
          <AppLanguageSwitch
            current={language}
            label={words.t('language.label')}
            storageKey={languageKey}
            onChange={setLanguage}
          />
        </div>
      </TopBar>
      {context && (
        <nav aria-label={words.t('nav.label')} class="ops-nav">
          {sections.map((name) => {
            const badge = badgeOf(name);
            return (
              <a
                key={name}
                href={`/ops/${name}`}
                aria-current={name === section ? 'page' : undefined}
                onClick={(event) => {
                  event.preventDefault();
                  setBanner(null);
                  go(name);
                }}
              >
                {words.t(`nav.${name}`)}
                {badge !== null && (
                  <>
                    <span class="nav-count" aria-hidden="true">
                      {badge.count}
                    </span>
                    <span class="visually-hidden">{badge.label}</span>
                  </>
                )}
              </a>
            );
          })}
        </nav>
      )}
      <main class="main" data-section={context ? section : 'signIn'}>
        {banner && <Banner tone={banner.tone} text={banner.text} />}
        {context ? (
          <Section name={section} context={context} />
        ) : (
          <SignIn
            words={words}
            onSignedIn={signIn}
            onFailure={(failure) =>
              setBanner({ tone: 'error', text: words.error(failure.code, failure.details) })
            }
          />
        )}
      </main>
    </div>
  );
}

function Section({ name, context }: { name: Section; context: OpsContext }) {
  switch (name) {
    case 'fleet':
      return <FleetSection {...context} />;
    case 'alerts':
      return <AlertsSection {...context} />;
    case 'reviews':
      return <ReviewsSection {...context} />;
    case 'stores':
      return <StoresSection {...context} />;
    case 'enroll':
      return <EnrollSection {...context} />;
    case 'collections':
      return <CollectionsSection {...context} />;
    case 'position':
      return <CashPositionSection {...context} />;
    case 'settlements':
      return <SettlementsSection {...context} />;
    case 'reversals':
      return <ReversalsSection {...context} />;
    case 'lookup':
      return <LookupSection {...context} />;
    case 'shoppers':
      return <ShoppersSection {...context} />;
    case 'suspense':
      return <SuspenseSection {...context} />;
    case 'audit':
      return <AuditSection {...context} />;
    case 'staff':
      return <StaffSection {...context} />;
  }
}
