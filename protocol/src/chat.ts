import { z } from 'zod';
import { errorCodeSchema } from './errors.js';

export const MAX_CHAT_MESSAGE_LENGTH = 4_000;
export const MAX_SELECTION_LENGTH = 8_000;

/** Text a reader sends is stored in PostgreSQL, which cannot hold a NUL character. */
export const withoutNul = (text: z.ZodString) => text.refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');

const nonEmptyText = (max: number) =>
  withoutNul(
    z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(max, `must be at most ${max} characters`),
  );

/** Text the reader selected on a course page, asked about. */
export const selectionSchema = z.object({
  text: nonEmptyText(MAX_SELECTION_LENGTH),
  page_url: withoutNul(z.string().min(1).max(2_000)),
  /** The heading of the section the selection sits in, when the page knows it. */
  heading: withoutNul(z.string().max(500)).optional(),
});
export type Selection = z.infer<typeof selectionSchema>;

/** `POST /api/v1/chat`: answered as Server-Sent Events when the client accepts `text/event-stream`, else as one JSON object. */
export const chatRequestSchema = z.object({
  /** Continue this thread; omitted → a new thread. */
  thread_id: z.uuid().optional(),
  message: nonEmptyText(MAX_CHAT_MESSAGE_LENGTH),
  selection: selectionSchema.optional(),
  /** The page the reader is on (helps retrieval prefer its sections). */
  page_url: withoutNul(z.string().min(1).max(2_000)).optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** A numbered source an answer cites as `[id]`. */
export const sourceSchema = z.object({
  id: z.number().int().min(1),
  kind: z.enum(['course', 'selection']),
  /** The section title (heading, or the chapter for a page introduction); "Your selection" for a selection. */
  title: z.string(),
  chapter: z.string(),
  /** Course page route with `#anchor`, or the page the selection came from. */
  url: z.string(),
  snippet: z.string(),
});
export type Source = z.infer<typeof sourceSchema>;

export const usageSchema = z.object({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  total_tokens: z.number().int().min(0),
});
export type Usage = z.infer<typeof usageSchema>;

/** Why an answer carries a notice: it is still an answer, but the reader should know this. */
export const noticeCodeSchema = z.enum(['not_covered', 'lexical_only', 'indexing']);

/** The stream, event by event (SSE `event:` name → `data:` JSON). */
export const chatStreamEventSchemas = {
  /** Always first: where the exchange is stored (the message id is the answer's, for feedback). */
  thread: z.object({ thread_id: z.uuid(), message_id: z.uuid() }),
  /** Numbered sources the answer's `[n]` markers refer to. */
  sources: z.object({ sources: z.array(sourceSchema) }),
  /** Something the reader should know about this answer (not covered by the course, degraded search). */
  notice: z.object({ code: noticeCodeSchema, message: z.string() }),
  /** The next piece of answer text (Markdown with `[n]` citation markers). */
  delta: z.object({ text: z.string() }),
  /** The answer is complete and stored. */
  done: z.object({ message_id: z.uuid(), usage: usageSchema, cited: z.array(z.number().int()) }),
  /** The answer failed after the stream started; whatever was sent before stays valid. */
  error: z.object({ code: errorCodeSchema, message: z.string(), request_id: z.string() }),
} as const;
export type ChatStreamEventName = keyof typeof chatStreamEventSchemas;
export type ChatStreamEvent = {
  [Name in ChatStreamEventName]: { event: Name; data: z.infer<(typeof chatStreamEventSchemas)[Name]> };
}[ChatStreamEventName];

/** The JSON answer for clients that do not accept `text/event-stream`. */
export const chatResponseSchema = z.object({
  thread_id: z.uuid(),
  message_id: z.uuid(),
  answer: z.string(),
  sources: z.array(sourceSchema),
  cited: z.array(z.number().int()),
  notices: z.array(chatStreamEventSchemas.notice),
  usage: usageSchema,
});
export type ChatResponse = z.infer<typeof chatResponseSchema>;

export const threadSummarySchema = z.object({
  id: z.uuid(),
  title: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
});
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const threadListSchema = z.object({ threads: z.array(threadSummarySchema) });

export const messageStatusSchema = z.enum(['complete', 'streaming', 'interrupted', 'failed']);

export const threadMessageSchema = z.object({
  id: z.uuid(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  status: messageStatusSchema,
  selection: selectionSchema.nullable(),
  sources: z.array(sourceSchema),
  feedback: z.enum(['up', 'down']).nullable(),
  created_at: z.iso.datetime({ offset: true }),
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;

export const threadMessagesSchema = z.object({ thread: threadSummarySchema, messages: z.array(threadMessageSchema) });

export const threadParamsSchema = z.object({ id: z.uuid() });

export const feedbackRequestSchema = z.object({
  rating: z.enum(['up', 'down']),
  comment: z.string().trim().max(2_000, 'must be at most 2000 characters').optional(),
});
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

export const feedbackResponseSchema = z.object({ message_id: z.uuid(), rating: z.enum(['up', 'down']), comment: z.string().nullable() });
