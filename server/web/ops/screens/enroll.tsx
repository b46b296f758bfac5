import { EnrollmentTokenSchema } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form } from '../../common/components.js';
import { ListSection } from '../list-section.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';

export function EnrollSection(context: OpsContext) {
  const { words, token } = context;
  const [storeId, setStoreId] = useState('');
  const [name, setName] = useState('');
  const [enrollment, setEnrollment] = useState<z.output<typeof EnrollmentTokenSchema> | null>(null);
  const create = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.terminals, EnrollmentTokenSchema, {
      body: { storeId: storeId.trim(), name: name.trim() },
      token,
    });
    if (result.ok) setEnrollment(result.value);
    else context.fail(result);
  };
  return (
    <ListSection title={words.t('enroll.title')} screen="enroll" words={words}>
      <Form onSubmit={() => void create()}>
        <Field
          id="enroll-store"
          label={words.t('enroll.store')}
          value={storeId}
          onInput={setStoreId}
          required
        />
        <Field
          id="enroll-name"
          label={words.t('enroll.name')}
          value={name}
          onInput={setName}
          maxLength={80}
          required
        />
        <Button kind="primary" type="submit" disabled={!storeId.trim() || !name.trim()}>
          {words.t('enroll.create')}
        </Button>
      </Form>
      {enrollment && (
        <div class="panel enrollment">
          <h2>{words.t('enroll.token')}</h2>
          <p class="token-text" data-testid="enrollment-token">
            {enrollment.token}
          </p>
          <p>{words.t('enroll.tokenHint', { time: words.dateTime(enrollment.expiresAtMs) })}</p>
          {/* The server's SVG shown as an image (a data: URL), never as markup inserted into the page. */}
          <img
            class="enrollment-qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(enrollment.qrSvg)}`}
            alt={words.t('enroll.qrAlt')}
          />
        </div>
      )}
    </ListSection>
  );
}
