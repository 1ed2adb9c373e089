import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { DELIBERATE_DEVELOPMENT_LINK } from '../observability/redact.js';

/** One email Docent sends: to a reader, with a link to follow. */
export interface Email {
  to: string;
  subject: string;
  text: string;
  /** The link the email is about; development without SMTP logs it instead of sending. */
  link: string;
}

export interface Mailer {
  /** `log` carries the request's ID. */
  send(email: Email, log: Logger): Promise<void>;
  close(): void;
}

/** Mail over SMTP (`smtp://` or `smtps://` URL with credentials), sent by nodemailer. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(email, log) {
      const info = await transport.sendMail({ from, to: email.to, subject: email.subject, text: email.text });
      // Never the link: it holds a token that signs the reader in.
      log.info({ mail_message_id: info.messageId, subject: email.subject }, 'email sent');
    },
    close: () => transport.close(),
  };
}

/**
 * Development without SMTP: the link a reader would receive is logged, once, so that a developer
 * can follow it. Config refuses to start in production without SMTP when verification is required.
 */
export function loggingMailer(): Mailer {
  return {
    send(email, log) {
      log.info(
        { mail_subject: email.subject, [DELIBERATE_DEVELOPMENT_LINK]: email.link },
        'email not sent (no SMTP_URL configured; development only): follow development_link to act on it. Set SMTP_URL to send real emails.',
      );
      return Promise.resolve();
    },
    close: () => undefined,
  };
}

/**
 * Production without SMTP (allowed only while REQUIRE_EMAIL_VERIFICATION is false): nothing can be
 * sent, and the link — which holds a token — is never logged. Password resets cannot work.
 */
export function unavailableMailer(): Mailer {
  return {
    send(email, log) {
      log.warn({ mail_subject: email.subject }, 'email not sent: SMTP_URL is not configured (password resets and confirmations cannot reach readers)');
      return Promise.resolve();
    },
    close: () => undefined,
  };
}
