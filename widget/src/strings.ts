/** Every piece of text the widget shows, per language. Add a language by adding a table. */
export interface WidgetStrings {
  launcher: string;
  title: string;
  close: string;
  newConversation: string;
  history: string;
  backToChat: string;
  noHistory: string;
  placeholder: string;
  send: string;
  stop: string;
  retry: string;
  copy: string;
  copied: string;
  sources: string;
  selectionLabel: string;
  removeSelection: string;
  askAboutSelection: string;
  thumbsUp: string;
  thumbsDown: string;
  thanks: string;
  answerReady: string;
  stopped: string;
  empty: string;
  errorWithId: (message: string, requestId: string) => string;
  offline: string;
  citation: (title: string, chapter: string) => string;
}

const en: WidgetStrings = {
  launcher: 'Ask the course',
  title: 'Course assistant',
  close: 'Close',
  newConversation: 'New conversation',
  history: 'Earlier conversations',
  backToChat: 'Back to the conversation',
  noHistory: 'No earlier conversations yet.',
  placeholder: 'Ask a question about the course…',
  send: 'Send',
  stop: 'Stop',
  retry: 'Try again',
  copy: 'Copy',
  copied: 'Copied',
  sources: 'Sources',
  selectionLabel: 'About your selection',
  removeSelection: 'Remove the selection',
  askAboutSelection: 'Ask Docent',
  thumbsUp: 'Helpful',
  thumbsDown: 'Not helpful',
  thanks: 'Thanks for the feedback',
  answerReady: 'The answer is ready.',
  stopped: 'Stopped.',
  empty: 'Ask anything about this course. Answers quote the course and link to the sections they come from.',
  errorWithId: (message, requestId) => `${message} (request ID: ${requestId})`,
  offline: 'The assistant cannot be reached right now. Please try again in a moment.',
  citation: (title, chapter) => (chapter && chapter !== title ? `${title} — ${chapter}` : title),
};

const ur: WidgetStrings = {
  launcher: 'کورس سے پوچھیں',
  title: 'کورس اسسٹنٹ',
  close: 'بند کریں',
  newConversation: 'نئی گفتگو',
  history: 'پچھلی گفتگوئیں',
  backToChat: 'گفتگو پر واپس',
  noHistory: 'ابھی کوئی پچھلی گفتگو نہیں۔',
  placeholder: 'کورس کے بارے میں سوال پوچھیں…',
  send: 'بھیجیں',
  stop: 'روکیں',
  retry: 'دوبارہ کوشش کریں',
  copy: 'کاپی',
  copied: 'کاپی ہو گیا',
  sources: 'ماخذ',
  selectionLabel: 'آپ کے منتخب متن کے بارے میں',
  removeSelection: 'انتخاب ہٹائیں',
  askAboutSelection: 'Docent سے پوچھیں',
  thumbsUp: 'مفید',
  thumbsDown: 'مفید نہیں',
  thanks: 'رائے کا شکریہ',
  answerReady: 'جواب تیار ہے۔',
  stopped: 'روک دیا گیا۔',
  empty: 'اس کورس کے بارے میں کچھ بھی پوچھیں۔ جوابات کورس سے اقتباس دیتے ہیں اور متعلقہ حصوں سے جوڑتے ہیں۔',
  errorWithId: (message, requestId) => `${message} (درخواست آئی ڈی: ${requestId})`,
  offline: 'اسسٹنٹ سے ابھی رابطہ نہیں ہو سکا۔ تھوڑی دیر بعد دوبارہ کوشش کریں۔',
  citation: (title, chapter) => (chapter && chapter !== title ? `${title} — ${chapter}` : title),
};

const TABLES: Record<string, WidgetStrings> = { en, ur };

/** The table for a BCP 47 language tag (`ur-PK` → Urdu), English when there is none. */
export function stringsFor(language: string | null | undefined): WidgetStrings {
  const primary = (language ?? 'en').toLowerCase().split('-')[0] ?? 'en';
  return TABLES[primary] ?? en;
}

/** Languages written right to left, for when the page does not say. */
export function isRightToLeft(language: string | null | undefined): boolean {
  return ['ar', 'fa', 'he', 'ur', 'ps', 'sd', 'yi'].includes((language ?? '').toLowerCase().split('-')[0] ?? '');
}
