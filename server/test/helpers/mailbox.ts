import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** Every http(s) link in the text, in order. */
  links: string[];
}

/**
 * A real SMTP server in the test process: Docent sends to it with nodemailer over TCP, and tests
 * read what arrived. `next(to)` waits for the next message to that address (no sleeps).
 */
export async function startMailbox(): Promise<{ url: string; received: ReceivedMail[]; next(to: string): Promise<ReceivedMail>; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const waiting: { to: string; resolve: (mail: ReceivedMail) => void }[] = [];
  const consumed = new Set<ReceivedMail>();
  const deliver = (mail: ReceivedMail) => {
    received.push(mail);
    const index = waiting.findIndex((waiter) => mail.to.includes(waiter.to));
    if (index === -1) return;
    const [waiter] = waiting.splice(index, 1);
    consumed.add(mail);
    waiter?.resolve(mail);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        deliver(parseMessage(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((rcpt) => rcpt.address)));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    next: (to) => {
      const ready = received.find((mail) => mail.to.includes(to) && !consumed.has(mail));
      if (ready) {
        consumed.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.push({ to, resolve }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function parseMessage(raw: string, to: string[]): ReceivedMail {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(headers)?.[1]?.trim() ?? '';
  let text = rest.join('\n\n');
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding'))) {
    text = Buffer.from(text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
  } else if (/base64/i.test(header('Content-Transfer-Encoding'))) {
    text = Buffer.from(text, 'base64').toString('utf8');
  }
  return { to, subject: header('Subject'), text, links: text.match(/https?:\/\/[^\s>]+/g) ?? [] };
}
