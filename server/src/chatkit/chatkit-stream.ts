import { ServerSentEvents } from '../http/event-stream.js';
import type { ChatKitEvent } from './wire.js';

/** ChatKit's framing: one `data: <compact JSON>` line per event, no event names. */
export class ChatKitStream extends ServerSentEvents {
  send(event: ChatKitEvent): void {
    this.write(`data: ${JSON.stringify(event)}\n\n`);
  }
}
