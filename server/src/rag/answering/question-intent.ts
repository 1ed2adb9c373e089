/**
 * What kind of answer a question asks for, read from its wording: a definition ("what is X"), a
 * number ("how many", "which port"), steps or code ("how do I"), a reason ("why"), or a
 * comparison ("X vs Y"). The extractive generator leads with the sentence of that kind.
 */
import { contentTerms } from '../text/sentences.js';

export type IntentKind = 'definition' | 'quantity' | 'howto' | 'reason' | 'comparison' | 'other';

export interface QuestionIntent {
  kind: IntentKind;
  /** Content terms of the thing asked about ("what is a URDF file" → urdf), for definitions. */
  subject: string[];
  /** The two things compared, as content terms, for comparisons. */
  compared: [string[], string[]] | undefined;
  /** Whether an answer may include a code block. */
  wantsCode: boolean;
}

const COMPARISON = /\b(?:difference|differences|differ|differs|vs\.?|versus|compare|compared|comparison|instead of|rather than|better than)\b|\bwhen (?:should|would|do) (?:i|we|you) (?:use|choose|pick)\b|\bwhich (?:one )?should (?:i|we) (?:use|choose|pick)\b/i;
const QUANTITY = /\bhow (?:many|much|long|fast|big|large|small|often|far|high|old)\b|\b(?:what|which) (?:version|versions|port|number|percentage|size|value|rate|frequency|year|limit)\b|\bdefault\b|\bminimum\b|\bmaximum\b/i;
const HOW_TO = /^\s*(?:how (?:do|can|should|would|could|does) (?:i|we|you|one)\b|how to\b|what(?:'s| is) the (?:command|way|syntax) to\b|steps? to\b)|\b(?:install|set up|setup|configure|enable|disable|add|create|write|run|launch|deploy)\b.*\?\s*$/i;
const REASON = /^\s*(?:why|what(?:'s| is) the (?:reason|point|purpose)|what for)\b/i;
const DEFINITION = /^\s*(?:what(?:'s| is| are| does)\s+(?:an?\s+|the\s+)?(.+?)(?:\s+(?:mean|stand for|do|used for|for|good for))?|define\s+(.+)|what do (?:you|they|we) mean by\s+(.+)|meaning of\s+(.+))\s*\??\s*$/i;
/** Questions that ask to see something to type. */
const WANTS_CODE = /\b(?:code|example|snippet|command|commands|syntax|script|config|configuration file|cli|terminal|how do i|how to|how can i|write|run|launch|install|configure)\b/i;

export function readIntent(question: string): QuestionIntent {
  const wantsCode = WANTS_CODE.test(question);
  if (COMPARISON.test(question)) return { kind: 'comparison', subject: [], compared: comparedThings(question), wantsCode };
  if (REASON.test(question)) return { kind: 'reason', subject: [], compared: undefined, wantsCode };
  if (QUANTITY.test(question)) return { kind: 'quantity', subject: [], compared: undefined, wantsCode };
  if (HOW_TO.test(question)) return { kind: 'howto', subject: [], compared: undefined, wantsCode };
  const definition = DEFINITION.exec(question);
  const subject = definition ? (definition[1] ?? definition[2] ?? definition[3] ?? definition[4] ?? '') : '';
  if (definition && subject.split(/\s+/).length <= 6) return { kind: 'definition', subject: contentTerms(subject), compared: undefined, wantsCode: false };
  return { kind: 'other', subject: [], compared: undefined, wantsCode };
}

/** "difference between X and Y", "X vs Y", "X or Y": the two sides, as content terms. */
function comparedThings(question: string): [string[], string[]] | undefined {
  const patterns = [/between\s+(.+?)\s+and\s+(.+?)[?.]*$/i, /(.+?)\s+(?:vs\.?|versus|or|compared (?:to|with)|instead of|rather than)\s+(.+?)[?.]*$/i];
  for (const pattern of patterns) {
    const match = pattern.exec(question);
    if (!match) continue;
    const left = contentTerms(match[1] ?? '').slice(-3);
    const right = contentTerms(match[2] ?? '').slice(0, 3);
    if (left.length > 0 && right.length > 0) return [left, right];
  }
  return undefined;
}
