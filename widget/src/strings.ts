import type { ReaderProfile } from '@docent/protocol';
import { englishQuestionAbout } from './suggested-questions.js';

type Levels<Key extends keyof ReaderProfile> = Record<NonNullable<ReaderProfile[Key]> & string, string>;
/** The account form's fields, for their validation messages. */
export type AccountField = 'name' | 'email' | 'password';

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
  /** The empty conversation: what the assistant can do. */
  empty: string;
  /** A suggested question about one of the page's headings. */
  suggestion: (heading: string) => string;
  suggestionsLabel: string;
  errorWithId: (message: string, requestId: string) => string;
  offline: string;
  citation: (title: string, chapter: string) => string;
  // Accounts
  account: string;
  signIn: string;
  createAccount: string;
  signOut: string;
  name: string;
  email: string;
  password: string;
  passwordHint: string;
  forgotPassword: string;
  resetIntro: string;
  sendResetLink: string;
  backToSignIn: string;
  aboutYou: string;
  softwareExperience: string;
  hardwareExperience: string;
  learningGoal: string;
  notSaying: string;
  softwareLevels: Levels<'software_experience'>;
  hardwareLevels: Levels<'hardware_experience'>;
  fieldProblem: Record<AccountField, string>;
  signedInAs: (name: string) => string;
  signedIn: (name: string) => string;
  signedOut: string;
  /** Back from a confirmation link opened in another browser: the address is confirmed, not signed in. */
  emailConfirmed: string;
  /** Back from a confirmation link that had expired or was mangled. */
  confirmationFailed: string;
  checkInbox: (email: string) => string;
  resetSent: (email: string) => string;
  confirmFirst: (email: string) => string;
  cookieBlocked: string;
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
  empty: 'Ask anything about the course, or select a passage on the page and choose “Ask Docent”. Answers link to the sections they come from, and your conversations are kept.',
  suggestion: englishQuestionAbout,
  suggestionsLabel: 'Suggested questions',
  errorWithId: (message, requestId) => `${message} (request ID: ${requestId})`,
  offline: 'The assistant cannot be reached right now. Please try again in a moment.',
  citation: (title, chapter) => (chapter && chapter !== title ? `${title} — ${chapter}` : title),
  account: 'Account',
  signIn: 'Sign in',
  createAccount: 'Create account',
  signOut: 'Sign out',
  name: 'Name',
  email: 'Email',
  password: 'Password',
  passwordHint: '8 to 128 characters.',
  forgotPassword: 'Forgot password?',
  resetIntro: 'We will email you a link to choose a new password.',
  sendResetLink: 'Send the link',
  backToSignIn: 'Back to sign in',
  aboutYou: 'Tell us about you (optional)',
  softwareExperience: 'Experience with software',
  hardwareExperience: 'Experience with hardware and robots',
  learningGoal: 'What do you want to learn?',
  notSaying: 'Prefer not to say',
  softwareLevels: { none: 'None', beginner: 'Beginner', intermediate: 'Intermediate', advanced: 'Advanced' },
  hardwareLevels: { none: 'None', hobbyist: 'Hobbyist', student: 'Student', professional: 'Professional' },
  fieldProblem: { name: 'Please enter your name.', email: 'Please enter a valid email address.', password: 'The password needs 8 to 128 characters.' },
  signedInAs: (name) => `Signed in as ${name}`,
  signedIn: (name) => `You are signed in as ${name}.`,
  signedOut: 'You are signed out.',
  emailConfirmed: 'Your email address is confirmed. Sign in to continue.',
  confirmationFailed: 'That confirmation link has expired or is not valid. Sign in to get a new one.',
  checkInbox: (email) => `Check your inbox at ${email} to confirm your account.`,
  resetSent: (email) => `If an account exists for ${email}, we sent a link to choose a new password.`,
  confirmFirst: (email) => `Please confirm your email address first: we sent a new link to ${email}.`,
  cookieBlocked: 'Your browser did not keep the sign-in. Allow cookies for this site and try again.',
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
  empty: 'کورس کے بارے میں کچھ بھی پوچھیں، یا صفحے پر کوئی حصہ منتخب کر کے “Docent سے پوچھیں” چنیں۔ جوابات متعلقہ حصوں سے جوڑتے ہیں، اور آپ کی گفتگوئیں محفوظ رہتی ہیں۔',
  suggestion: (heading) => `${heading} کے بارے میں بتائیں`,
  suggestionsLabel: 'تجویز کردہ سوالات',
  errorWithId: (message, requestId) => `${message} (درخواست آئی ڈی: ${requestId})`,
  offline: 'اسسٹنٹ سے ابھی رابطہ نہیں ہو سکا۔ تھوڑی دیر بعد دوبارہ کوشش کریں۔',
  citation: (title, chapter) => (chapter && chapter !== title ? `${title} — ${chapter}` : title),
  account: 'اکاؤنٹ',
  signIn: 'سائن ان کریں',
  createAccount: 'اکاؤنٹ بنائیں',
  signOut: 'سائن آؤٹ کریں',
  name: 'نام',
  email: 'ای میل',
  password: 'پاس ورڈ',
  passwordHint: '8 سے 128 حروف۔',
  forgotPassword: 'پاس ورڈ بھول گئے؟',
  resetIntro: 'ہم آپ کو نیا پاس ورڈ منتخب کرنے کا لنک ای میل کریں گے۔',
  sendResetLink: 'لنک بھیجیں',
  backToSignIn: 'سائن ان پر واپس',
  aboutYou: 'اپنے بارے میں بتائیں (اختیاری)',
  softwareExperience: 'سافٹ ویئر کا تجربہ',
  hardwareExperience: 'ہارڈ ویئر اور روبوٹس کا تجربہ',
  learningGoal: 'آپ کیا سیکھنا چاہتے ہیں؟',
  notSaying: 'نہیں بتانا چاہتے',
  softwareLevels: { none: 'کوئی نہیں', beginner: 'ابتدائی', intermediate: 'درمیانہ', advanced: 'ماہر' },
  hardwareLevels: { none: 'کوئی نہیں', hobbyist: 'شوقیہ', student: 'طالب علم', professional: 'پیشہ ور' },
  fieldProblem: { name: 'براہ کرم اپنا نام لکھیں۔', email: 'براہ کرم درست ای میل پتہ لکھیں۔', password: 'پاس ورڈ میں 8 سے 128 حروف ہونے چاہئیں۔' },
  signedInAs: (name) => `${name} کے طور پر سائن ان`,
  signedIn: (name) => `آپ ${name} کے طور پر سائن ان ہیں۔`,
  signedOut: 'آپ سائن آؤٹ ہو گئے ہیں۔',
  emailConfirmed: 'آپ کا ای میل پتہ تصدیق ہو گیا ہے۔ جاری رکھنے کے لیے سائن ان کریں۔',
  confirmationFailed: 'یہ تصدیقی لنک ختم ہو چکا ہے یا درست نہیں۔ نیا لنک حاصل کرنے کے لیے سائن ان کریں۔',
  checkInbox: (email) => `اپنا اکاؤنٹ تصدیق کرنے کے لیے ${email} کا ان باکس دیکھیں۔`,
  resetSent: (email) => `اگر ${email} کا اکاؤنٹ موجود ہے تو ہم نے نیا پاس ورڈ منتخب کرنے کا لنک بھیج دیا ہے۔`,
  confirmFirst: (email) => `پہلے اپنا ای میل پتہ تصدیق کریں: ہم نے ${email} پر نیا لنک بھیج دیا ہے۔`,
  cookieBlocked: 'آپ کے براؤزر نے سائن ان محفوظ نہیں کیا۔ اس سائٹ کے لیے کوکیز کی اجازت دیں اور دوبارہ کوشش کریں۔',
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
