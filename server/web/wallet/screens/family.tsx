import { ChildListSchema, ChildWalletSchema, familyApiPaths, familyChildrenMax } from '@cashin/shared';
import { useEffect, useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, ScreenHeading } from '../../common/components.js';
import { checkedFieldStatus } from '../../common/field-status.js';
import type { WalletContext } from '../app.js';

type Child = z.output<typeof ChildListSchema>['children'][number];

/** The parent's child wallets, each opening to its own code, caps and history; and a form to add one. */
export function FamilyScreen(context: WalletContext) {
  const { words, session } = context;
  const [children, setChildren] = useState<Child[] | null>(null);
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const nameValid = name.trim().length > 0;

  useEffect(() => {
    void (async () => {
      const result = await callApi(familyApiPaths.children, ChildListSchema, {
        token: session?.token ?? null,
      });
      if (result.ok) setChildren(result.value.children);
      else context.showError(result.code, result.details);
    })();
  }, []);

  const add = async (): Promise<void> => {
    setTouched(true);
    if (!nameValid) return;
    setBusy(true);
    const result = await callApi(familyApiPaths.children, ChildWalletSchema, {
      body: { name: name.trim() },
      token: session?.token ?? null,
    });
    setBusy(false);
    if (!result.ok) return context.showError(result.code, result.details);
    context.go(`family/${result.value.child.id}`);
    context.showBanner({ tone: 'success', text: words.t('family.added', { name: result.value.child.name }) });
  };

  const full = children !== null && children.length >= familyChildrenMax;
  return (
    <section class="screen">
      <ScreenHeading text={words.t('family.title')} screen="family" />
      <p class="lead">{words.t('family.body')}</p>
      {children === null ? (
        <p aria-busy="true">{words.t('loading')}</p>
      ) : children.length === 0 ? (
        <p class="muted">{words.t('family.none')}</p>
      ) : (
        <ul class="history" aria-label={words.t('family.list')}>
          {children.map((child) => (
            <li key={child.id}>
              <button
                type="button"
                class="entry entry-button"
                onClick={() => context.go(`family/${child.id}`)}
              >
                <span class="entry-main">
                  <span>{child.name}</span>
                  <span class="entry-amount">{words.money(child.balanceMinor, child.currency)}</span>
                </span>
                <span class="entry-meta">{words.t('family.open')}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {!full && (
        <Form onSubmit={() => void add()} label={words.t('family.addTitle')}>
          <h2>{words.t('family.addTitle')}</h2>
          <Field
            id="child-name"
            label={words.t('family.name')}
            hint={words.t('family.nameHint')}
            value={name}
            maxLength={80}
            onInput={setName}
            status={checkedFieldStatus(touched, nameValid, words.t('family.nameMissing'))}
          />
          <Button kind="primary" type="submit" busy={busy}>
            {words.t('family.add')}
          </Button>
        </Form>
      )}
      <Button kind="link" onClick={() => context.go('')}>
        {words.t('code.back')}
      </Button>
    </section>
  );
}
