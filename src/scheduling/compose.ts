// Builds the Scheduler of one app from the configuration (called by app.ts).
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/types.js';
import { objectLimitsOf } from '../ical/limits.js';
import { PeopleDirectory } from './directory.js';
import { NO_MAIL, SmtpMailer } from './imip.js';
import { Scheduler } from './scheduler.js';
import { ReplyTokens } from './tokens.js';

export function createScheduler(store: Store, config: Config, log: Logger): Scheduler {
  const mailer = config.smtpUrl ? new SmtpMailer(config.smtpUrl, config.smtpFrom) : NO_MAIL;
  return new Scheduler(
    store,
    new PeopleDirectory(store),
    mailer,
    new ReplyTokens(store, config.imipReplyDays),
    { maxAttendees: config.maxAttendees, mailsPerHour: config.imipMailsPerHour },
    objectLimitsOf(config),
    () => log,
  );
}
