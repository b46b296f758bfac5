import type { EnrollmentTokenSchema } from '@cashin/shared';
import type { z } from 'zod';
import type { OpsWords } from './ops-context.js';

/**
 * A one-time enrollment token as a tech needs it at the kiosk: the text to type and the QR code to scan,
 * with until when it works. Shown once, for a new kiosk or a new device after a key rotation.
 */
export function EnrollmentTokenPanel({
  words,
  enrollment,
}: {
  words: OpsWords;
  enrollment: Pick<z.output<typeof EnrollmentTokenSchema>, 'token' | 'expiresAtMs' | 'qrSvg'>;
}) {
  return (
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
  );
}
