import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** Every http(s) link in the text, in order. */
  links: string[];
}

/**
 * A real SMTP server in the test process (and in the browser tests' servers): Docent sends to it with nodemailer over TCP, and tests
 * read what arrived. `next(to)` waits for the next message to that address (no sleeps).
 */
export async function startMailbox(): Promise<{ url: string; received: ReceivedMail[]; next(to: string): Promise<ReceivedMail>; close(): Promise<void> }> {
  const received: ReceivedMail[] = [];
  const waiting: { to: string; resolve: (mail: ReceivedMail) => void }[] = [];
  const consumed = new Set<ReceivedMail>();
  const deliver = (mail: ReceivedMail) => {
    received.push(mail);
    const index = waiting.findIndex((waiter) => mail.to.includes(waiter.to.toLowerCase()));
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
        deliver(parseMail(Buffer.concat(chunks).toString('utf8'), session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase())));
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
      const ready = received.find((mail) => mail.to.includes(to.toLowerCase()) && !consumed.has(mail));
      if (ready) {
        consumed.add(ready);
        return Promise.resolve(ready);
      }
      return new Promise((resolve) => waiting.push({ to, resolve }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Just enough MIME for the emails Docent sends: unfolded headers, the text/plain part of a
 * multipart message, quoted-printable or base64 bodies, encoded-word subjects.
 */
export function parseMail(raw: string, to: string[]): ReceivedMail {
  const { headers, body } = splitEntity(raw);
  let part = { headers, body };
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (boundary) {
    const parts = body.split(`--${boundary}`).slice(1, -1).map((chunk) => splitEntity(chunk.replace(/^\r?\n/, '')));
    part = parts.find((candidate) => /^text\/plain/i.test(candidate.headers['content-type'] ?? 'text/plain')) ?? parts[0] ?? part;
  }
  const text = decodeBody(part.body, part.headers['content-transfer-encoding'] ?? '');
  return { to, subject: decodeWords(headers.subject ?? ''), text, links: text.match(/https?:\/\/[^\s<>"')]+/g) ?? [] };
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end === -1 ? raw : raw.slice(0, end);
  const body = end === -1 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) return decodeQuotedPrintable(body);
  return body;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047 words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`) in a header. */
function decodeWords(value: string): string {
  return value.replace(/=\?[^?]+\?([bq])\?([^?]*)\?=\s*/gi, (_, kind: string, data: string) =>
    kind.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replaceAll('_', ' ')),
  );
}
