import { html, nothing, type TemplateResult } from 'lit';
import type { WidgetStrings } from './strings.js';

/**
 * The open panel's empty state: what the assistant can do, and a few questions to start from,
 * made from the headings of the page the reader is on (no model involved: instant, and free).
 */

const MAX_SUGGESTIONS = 3;
/** A longer heading makes a question too long for a button. */
const MAX_HEADING_LENGTH = 60;
/** Headings that name a part of any chapter rather than its subject. */
const GENERIC_HEADING =
  /^(summary|exercises?|next steps?|what'?s next|further reading|references?|see also|resources|overview|introduction|conclusions?|recap|key (takeaways|points|ideas)|prerequisites|(learning )?(objectives|outcomes|goals)|(review )?questions|quiz|self-check|contents|table of contents|on this page|footnotes|acknowledge?ments)$/i;

export function renderEmptyState(strings: WidgetStrings, onAsk: (question: string) => void): TemplateResult {
  const questions = pageHeadings().map((heading) => strings.suggestion(heading));
  return html`<div class="empty">
    <p>${strings.empty}</p>
    ${questions.length === 0
      ? nothing
      : html`<ul class="suggestions" aria-label=${strings.suggestionsLabel}>
          ${questions.map((question) => html`<li><button type="button" @click=${() => onAsk(question)}>${question}</button></li>`)}
        </ul>`}
  </div>`;
}

/**
 * The first few topical h2 (then h3) headings of the page's main content: its article, else its
 * main region, else the whole page, leaving out navigation, asides and the widget itself.
 */
function pageHeadings(): string[] {
  const content = document.querySelector('article') ?? document.querySelector('main, [role=main]') ?? document.body;
  const texts = ['h2', 'h3'].flatMap((level) =>
    [...content.querySelectorAll(level)].filter((heading) => !heading.closest('nav, aside, footer, docent-chat, [hidden]')).map(headingText),
  );
  const topical = texts.filter((text) => text !== '' && text.length <= MAX_HEADING_LENGTH && !GENERIC_HEADING.test(text));
  return [...new Set(topical)].slice(0, MAX_SUGGESTIONS);
}

/** The heading's words without its number ("2.", "1.3") or the "#" or zero-width link sites add. */
function headingText(heading: Element): string {
  return (heading.textContent ?? '')
    .replace(/\s+/g, ' ')
    .replace(/[\s#¶\u200b]+$/, '')
    .replace(/^\s*\d+(\.\d+)*[.)]?\s+/, '')
    .trim();
}

const QUESTION_WORD = /^(what|why|how|when|where|which|who)$/i;
/** "From language models to agents" is no thing to ask "what is" about. */
const PREPOSITION = /^(from|beyond|inside|into|under|between|towards?|with|without|on|in)$/i;
const AUXILIARY = /^(do|does|did|is|are|was|can|could|should|will|would)$/i;
/** Words that end the head of a noun phrase: its last word before them says "is" or "are". */
const PHRASE_BREAK = /^(of|in|with|for|from|to|on|and|or|versus|vs\.?|compared|between|as|by|at|&)$/i;

/**
 * An English question about a heading: "Describing joints" → "Tell me about describing joints",
 * "The transform tree" → "What is the transform tree?", "Services and actions" → "What are
 * services and actions?", "How do robots balance" → "How do robots balance?".
 */
export function englishQuestionAbout(heading: string): string {
  // "PID Control: Proportional, Integral and Derivative Terms" is about PID control.
  const topic = heading.split(/:\s/)[0]?.trim() || heading;
  if (topic.endsWith('?')) return topic;
  const words = topic.split(' ');
  const [first = '', second = ''] = words;
  if (QUESTION_WORD.test(first) && AUXILIARY.test(second)) return `${topic}?`;
  // A question word or an article is never a name: "The Kalman filter" → "What is the Kalman filter?".
  const ordinaryFirstWord = QUESTION_WORD.test(first) || /^(the|a|an)$/i.test(first) || isSentenceCase(words);
  const phrase = ordinaryFirstWord ? `${first.toLowerCase()}${topic.slice(first.length)}` : topic;
  if (QUESTION_WORD.test(first) || PREPOSITION.test(first) || /^[A-Za-z]{2,}ing$/.test(first)) return `Tell me about ${phrase}`;
  const breakAt = words.findIndex((word, index) => index > 0 && (PHRASE_BREAK.test(word) || word.endsWith(',')));
  const head = (words[breakAt === -1 ? words.length - 1 : breakAt - 1] ?? '').replace(/,$/, '');
  // "Topics", "Basics" and "IMUs" are plural; "Kinematics" and "Physics" are one subject.
  const plural = /[A-Za-z]s$/.test(head) && !/(ss|us|is)$/.test(head) && !/(physics|matics|dynamics|robotics|mechanics|electronics)$/i.test(head);
  return `What ${plural ? 'are' : 'is'} ${phrase}?`;
}

/**
 * "Links and their elements" (sentence case: its first word is an ordinary word, lower-cased in a
 * question) versus "Feedback Control Basics" or a name such as "Gazebo" (kept as written).
 */
function isSentenceCase(words: string[]): boolean {
  const [first = '', ...rest] = words;
  if (!/^[A-Z][a-z]*$/.test(first)) return false;
  const ordinary = rest.filter((word) => word.length > 3 && /^[A-Za-z][a-z-]+$/.test(word));
  return ordinary.length > 0 && ordinary.filter((word) => /^[A-Z]/.test(word)).length * 2 < ordinary.length;
}
