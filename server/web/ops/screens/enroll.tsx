import { EnrollmentTokenSchema } from '@cashin/shared';
import { useState } from 'preact/hooks';
import type { z } from 'zod';
import { callApi } from '../../common/api.js';
import { Button, Field, Form } from '../../common/components.js';
import { EnrollmentTokenPanel } from '../enrollment-token.js';
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
      {enrollment && <EnrollmentTokenPanel words={words} enrollment={enrollment} />}
    </ListSection>
  );
}
