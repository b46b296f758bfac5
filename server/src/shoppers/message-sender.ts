import type { Logger } from 'pino';
import type { Db } from '../storage/db.js';
import type { UuidV7Generator } from '@cashin/shared';
import { CodedError } from '@cashin/shared';

export interface OutgoingMessage {
  /** E.164 phone number. */
  readonly to: string;
  readonly text: string;
}

/** Where one-time codes and notices go: an SMS provider in production, the development inbox otherwise. */
export interface MessageSender {
  send(message: OutgoingMessage): Promise<void>;
}

/** "+15551234567" -> "+1555***4567": enough for a log reader to tell numbers apart, no more. */
export function maskPhone(phone: string): string {
  if (phone.length <= 8) return '*'.repeat(phone.length);
  return `${phone.slice(0, 5)}${'*'.repeat(phone.length - 9)}${phone.slice(-4)}`;
}

/**
 * The default sender: keeps the message in the database's development inbox (GET /dev/inbox shows it,
 * from any server process) and logs that a message went out, never its text, which holds the code.
 */
export class DevInboxSender implements MessageSender {
  constructor(
    private readonly db: Db,
    private readonly newId: UuidV7Generator,
    private readonly nowMs: () => number,
    private readonly logger: Logger,
  ) {}

  async send(message: OutgoingMessage): Promise<void> {
    await this.db.transaction((tx) =>
      tx.run('INSERT INTO dev_inbox (id, to_phone, body, created_at_ms) VALUES (?, ?, ?, ?)', [
        this.newId(),
        message.to,
        message.text,
        this.nowMs(),
      ]),
    );
    this.logger.info({ to: maskPhone(message.to) }, 'message placed in the development inbox');
  }
}

/**
 * Where no SMS provider is plugged in and the development inbox is off (production): one-time codes are
 * not kept anywhere, and asking for one answers SERVICE_UNAVAILABLE rather than pretending it was sent.
 */
export class UnconfiguredSender implements MessageSender {
  constructor(private readonly logger: Logger) {}

  send(message: OutgoingMessage): Promise<void> {
    this.logger.error({ to: maskPhone(message.to) }, 'no message sender is configured; message not sent');
    return Promise.reject(new CodedError('SERVICE_UNAVAILABLE'));
  }
}

/** Messages the development inbox holds, newest first, bounded. */
export const devInboxMessagesMax = 50;

export async function readDevInbox(db: Db): Promise<{ to: string; text: string; createdAtMs: number }[]> {
  const rows = await db.transaction((tx) =>
    tx.all<{ to_phone: string; body: string; created_at_ms: number }>(
      'SELECT to_phone, body, created_at_ms FROM dev_inbox ORDER BY created_at_ms DESC, id DESC LIMIT ?',
      [devInboxMessagesMax],
    ),
  );
  return rows.map((row) => ({ to: row.to_phone, text: row.body, createdAtMs: row.created_at_ms }));
}
