import { MAX_CHAT_MESSAGE_LENGTH, MAX_SELECTION_LENGTH, withoutNul } from '@docent/protocol';
import { z } from 'zod';

/**
 * The requests a ChatKit front end sends to its `api.url`: `{type, params, metadata?}` (see
 * docs/CHATKIT.md and the contract in PROTOCOL.md). Like the reference server, optional fields may
 * be `null` and unknown fields are ignored. Docent's ids are UUIDs, so any other id is refused here
 * rather than looked up.
 */
const id = z.uuid();
const metadata = z.record(z.string(), z.unknown()).nullish();
/** The reference server's default page size; larger pages are capped, not refused. */
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

const userMessageContentSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input_text'), text: z.string().max(MAX_CHAT_MESSAGE_LENGTH) }),
  // An @-mention: its visible text becomes part of the question.
  z.object({ type: z.literal('input_tag'), id: z.string(), text: z.string().max(MAX_CHAT_MESSAGE_LENGTH), data: z.record(z.string(), z.unknown()) }),
]);

export const userMessageInputSchema = z.object({
  content: z.array(userMessageContentSchema).max(100),
  // Docent answers from the course only: it has no uploads, so no attachment id can refer to anything.
  attachments: z.array(z.string()).max(0, 'attachments are not supported'),
  quoted_text: withoutNul(z.string().max(MAX_SELECTION_LENGTH)).nullish(),
  // Required by the protocol; Docent has one model and no tools to choose from.
  inference_options: z.object({}),
});
export type UserMessageInput = z.infer<typeof userMessageInputSchema>;

const pageParams = {
  limit: z.number().int().min(0).nullish(),
  order: z.enum(['asc', 'desc']).nullish(),
  after: id.nullish(),
};

const request = <Type extends string, Params extends z.ZodType>(type: Type, params: Params) => z.object({ type: z.literal(type), params, metadata });

/** Operations of the protocol that Docent does not offer (attachments, widgets, tools, voice): answered with an error. */
export const UNSUPPORTED_STREAMING_TYPES = ['threads.add_client_tool_output', 'threads.add_structured_input', 'threads.custom_action'] as const;
export const UNSUPPORTED_JSON_TYPES = ['threads.sync_custom_action', 'attachments.create', 'attachments.delete', 'input.transcribe'] as const;
/** Their params are not checked: whatever they hold, the answer is the same. */
const unsupportedRequestSchema = z.object({ type: z.literal([...UNSUPPORTED_STREAMING_TYPES, ...UNSUPPORTED_JSON_TYPES]), params: z.record(z.string(), z.unknown()), metadata });
export type UnsupportedRequest = z.infer<typeof unsupportedRequestSchema>;

export const chatKitRequestSchema = z.discriminatedUnion('type', [
  request('threads.create', z.object({ input: userMessageInputSchema })),
  request('threads.add_user_message', z.object({ thread_id: id, input: userMessageInputSchema })),
  request('threads.retry_after_item', z.object({ thread_id: id, item_id: id })),
  request('threads.get_by_id', z.object({ thread_id: id })),
  request('threads.list', z.object(pageParams).nullish()),
  request('items.list', z.object({ thread_id: id, ...pageParams })),
  request('threads.update', z.object({ thread_id: id, title: withoutNul(z.string().trim().min(1).max(200)) })),
  request('threads.delete', z.object({ thread_id: id })),
  request('items.feedback', z.object({ thread_id: id, item_ids: z.array(id).min(1).max(100), kind: z.enum(['positive', 'negative']) })),
  unsupportedRequestSchema,
]);
export type ChatKitRequest = z.infer<typeof chatKitRequestSchema>;
export type RequestOf<Type extends ChatKitRequest['type']> = Extract<ChatKitRequest, { type: Type }>;

export type PageParams = { limit?: number | null; order?: 'asc' | 'desc' | null; after?: string | null };

/** The protocol's paging defaults: newest first, 20 per page. */
export function pageRequest(params: PageParams | null | undefined): { limit: number; order: 'asc' | 'desc'; after: string | undefined } {
  return {
    limit: Math.min(params?.limit || DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
    order: params?.order ?? 'desc',
    after: params?.after ?? undefined,
  };
}
