/**
 * A mailbox for the browser tests: the test suite's SMTP server (server/test/helpers/mailbox.ts),
 * which Docent sends its account emails to, plus `GET http://127.0.0.1:<httpPort>/mail?to=<address>`
 * listing what arrived for that address, oldest first, as JSON `[{ to, subject, text, links }]`.
 */
import { createServer } from 'node:http';
import { startMailbox } from '../server/test/helpers/mailbox.js';

export type { ReceivedMail } from '../server/test/helpers/mailbox.js';

export async function serveMailbox(httpPort: number): Promise<{ smtpUrl: string; close: () => void }> {
  const mailbox = await startMailbox();
  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://mailbox');
    if (url.pathname !== '/mail') {
      response.writeHead(404).end('not found');
      return;
    }
    const to = url.searchParams.get('to')?.toLowerCase();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(mailbox.received.filter((mail) => to === undefined || mail.to.includes(to))));
  });
  await new Promise<void>((resolve) => http.listen(httpPort, '127.0.0.1', resolve));
  return {
    smtpUrl: mailbox.url,
    close: () => {
      http.close();
      void mailbox.close();
    },
  };
}
