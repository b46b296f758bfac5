import type { Clock, Limits, UuidV7Generator } from '@cashin/shared';
import type { Logger } from 'pino';
import type { MessageSender } from './shoppers/message-sender.js';
import type { Db } from './storage/db.js';

/** What the services need from the outside world, injected once (tests pass a FakeClock). */
export interface Deps {
  readonly db: Db;
  readonly clock: Clock;
  readonly limits: Limits;
  readonly newId: UuidV7Generator;
  readonly messageSender: MessageSender;
  readonly claimCodeSecret: string;
  readonly logger: Logger;
}
