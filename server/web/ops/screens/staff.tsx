import type { Staff } from '@cashin/shared';
import { StaffListSchema, StaffSchema, staffPasswordLengthMin } from '@cashin/shared';
import { useState } from 'preact/hooks';
import { callApi } from '../../common/api.js';
import { Button, Field, Form, TableScroll } from '../../common/components.js';
import { ListSection } from '../list-section.js';
import { actorText } from '../actor.js';
import type { OpsContext } from '../ops-context.js';
import { opsPaths } from '../ops-paths.js';
import { useList } from '../use-list.js';

/** The people in operations: who may sign in to this console, who created them, and whether they may now. */
export function StaffSection(context: OpsContext) {
  const { words, token } = context;
  const [list, refresh] = useList(context, opsPaths.staff, StaffListSchema);
  const [username, setUsername] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const create = async (): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.staff, StaffSchema, {
      body: { username: username.trim(), name: name.trim(), password },
      token,
    });
    setPassword('');
    if (!result.ok) return context.fail(result);
    context.notify(words.t('staff.created', { name: result.value.name, username: result.value.username }));
    setUsername('');
    setName('');
    refresh();
  };
  const setEnabled = async (staff: Staff, enabled: boolean): Promise<void> => {
    context.clear();
    const result = await callApi(opsPaths.staffEnabled(staff.id), StaffSchema, {
      method: 'PUT',
      body: { enabled },
      token,
    });
    if (!result.ok) return context.fail(result);
    context.notify(words.t(enabled ? 'staff.enabledNotice' : 'staff.disabledNotice', { name: staff.name }));
    refresh();
  };
  const statusOf = (staff: Staff): string =>
    staff.disabledAtMs !== null
      ? words.t('staff.disabled')
      : staff.lockedUntilMs !== null
        ? words.t('staff.locked', { until: words.dateTime(staff.lockedUntilMs) })
        : words.t('staff.active');
  return (
    <ListSection title={words.t('staff.title')} screen="staff" words={words} onRefresh={refresh}>
      {list !== null && list.staff.length > 0 && (
        <TableScroll label={words.t('staff.title')} stack>
          <table>
            <thead>
              <tr>
                <th scope="col">{words.t('staff.id')}</th>
                <th scope="col">{words.t('staff.username')}</th>
                <th scope="col">{words.t('staff.name')}</th>
                <th scope="col">{words.t('staff.status')}</th>
                <th scope="col">{words.t('staff.createdBy')}</th>
                <th scope="col">{words.t('staff.action')}</th>
              </tr>
            </thead>
            <tbody>
              {list.staff.map((staff) => (
                <tr key={staff.id}>
                  <th scope="row">{staff.id}</th>
                  <td>{staff.username}</td>
                  <td>{staff.name}</td>
                  <td>{statusOf(staff)}</td>
                  <td>{actorText(words, staff.createdBy)}</td>
                  <td>
                    {/* Nobody disables themselves: a colleague or the service token must. */}
                    {staff.id !== context.staffId && (
                      <Button onClick={() => void setEnabled(staff, staff.disabledAtMs !== null)}>
                        {words.t(staff.disabledAtMs !== null ? 'staff.enable' : 'staff.disable', {
                          name: staff.username,
                        })}
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <div class="panel">
        <h2>{words.t('staff.new')}</h2>
        <Form onSubmit={() => void create()} label={words.t('staff.new')}>
          <Field
            id="staff-username"
            label={words.t('staff.username')}
            hint={words.t('staff.usernameHint')}
            value={username}
            onInput={(value) => setUsername(value.toLowerCase())}
            maxLength={40}
            required
          />
          <Field
            id="staff-name"
            label={words.t('staff.name')}
            value={name}
            onInput={setName}
            maxLength={80}
            required
          />
          <Field
            id="staff-password"
            type="password"
            autoComplete="new-password"
            label={words.t('staff.password')}
            hint={words.t('staff.passwordHint', { minimum: staffPasswordLengthMin })}
            value={password}
            onInput={setPassword}
            required
          />
          <Button
            kind="primary"
            type="submit"
            disabled={!username.trim() || !name.trim() || password.length < staffPasswordLengthMin}
          >
            {words.t('staff.create')}
          </Button>
        </Form>
      </div>
    </ListSection>
  );
}
