import type { Email } from './mailer.js';

/** What Docent writes to readers. Plain text: it reads well everywhere and cannot hide a link. */
export function accountEmails(publicUrl: string) {
  return {
    verification: (to: string, link: string): Email => ({
      to,
      link,
      subject: 'Confirm your Docent account',
      text: `Welcome to the course assistant!\n\nConfirm your email address to finish creating your account:\n\n${link}\n\nThe link works for one hour. If you did not sign up, ignore this email: no account is created without confirmation.\n`,
    }),
    passwordReset: (to: string, link: string): Email => ({
      to,
      link,
      subject: 'Reset your Docent password',
      text: `Someone (hopefully you) asked to reset the password of your course assistant account.\n\nChoose a new password here:\n\n${link}\n\nThe link works for one hour. If you did not ask for this, ignore this email: your password stays as it is.\n`,
    }),
    existingAccount: (to: string): Email => ({
      to,
      link: publicUrl,
      subject: 'Someone tried to create a Docent account with your email',
      text: `Someone tried to create a course assistant account with this email address, which already has one.\n\nIf it was you: sign in instead, or use "Forgot password?" to choose a new password.\nIf it was not you, you can ignore this email: nothing changed.\n`,
    }),
  };
}
