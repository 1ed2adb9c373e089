import { html, type TemplateResult } from 'lit';

/**
 * Syntax colours for code in answers, for the languages a robotics course shows: Python, shell,
 * XML (URDF, SDF, launch files), YAML, JSON, JavaScript/TypeScript and C++. Hand-written and small
 * (a library with real grammars would cost more than the rest of the widget): one regular
 * expression per language finds comments, strings, keywords, numbers and names (tags' attributes,
 * keys, variables); the rest stays plain. Tokens become Lit text bindings inside spans, so code is
 * only ever inserted as text, never parsed as HTML.
 */

type TokenKind = 'comment' | 'string' | 'keyword' | 'number' | 'name';
/** Token patterns, tried in this order where two start at the same place. No capturing groups. */
type Grammar = [TokenKind, string][];

const words = (list: string): string => `\\b(?:${list.split(' ').join('|')})\\b`;
// Strings close on the same line: an apostrophe in prose must not colour the rest of the block.
const DOUBLE_QUOTED = String.raw`"(?:\\.|[^"\\\n])*"`;
const SINGLE_QUOTED = String.raw`'(?:\\.|[^'\\\n])*'`;
// An unclosed block comment (an answer still streaming) runs to the end.
const C_COMMENTS = String.raw`\/\/.*|\/\*[\s\S]*?(?:\*\/|$)`;
// Hex, decimal, exponent, and suffixes such as 42u, 1.0f, 3j.
const NUMBER = String.raw`\b(?:0[xX][\da-fA-F]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)[a-zA-Z]*\b`;

const GRAMMARS: Record<string, Grammar> = {
  python: [
    ['comment', '#.*'],
    ['string', String.raw`(?:\b[rRbBfFuU]{1,2})?(?:"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)|${DOUBLE_QUOTED}|${SINGLE_QUOTED})`],
    ['keyword', `@[\\w.]+|${words('and as assert async await break class continue def del elif else except False finally for from global if import in is lambda None nonlocal not or pass raise return self True try while with yield')}`],
    ['number', NUMBER],
  ],
  bash: [
    // `#` starts a comment only as a word of its own: `$#` and `a#b` are not comments.
    ['comment', String.raw`(?<![^\s;])#.*`],
    ['string', `${DOUBLE_QUOTED}|'[^']*'`],
    ['name', String.raw`\$\{[^}\n]*\}|\$[\w@#?$!*-]`],
    ['keyword', words('if then else elif fi for while until do done case esac in function return export source local sudo echo cd exit set unset alias')],
    ['number', String.raw`\b\d+\b`],
  ],
  xml: [
    ['comment', String.raw`<!--[\s\S]*?(?:-->|$)`],
    ['keyword', String.raw`<\/?[\w:.-]+|<\?[\w-]+`],
    ['name', String.raw`[\w:.-]+(?=\s*=\s*["'])`],
    ['string', String.raw`(?<==\s*)(?:"[^"]*"|'[^']*')`],
  ],
  yaml: [
    ['comment', String.raw`(?<!\S)#.*`],
    ['string', `${DOUBLE_QUOTED}|${SINGLE_QUOTED}`],
    ['name', String.raw`[\w./-]+(?=[ \t]*:(?:[ \t]|\n|$))`],
    ['keyword', words('true false null yes no on off True False Null')],
    ['number', NUMBER],
  ],
  json: [
    ['name', `${DOUBLE_QUOTED}(?=\\s*:)`],
    ['string', DOUBLE_QUOTED],
    ['keyword', words('true false null')],
    ['number', NUMBER],
  ],
  js: [
    ['comment', C_COMMENTS],
    ['string', `${DOUBLE_QUOTED}|${SINGLE_QUOTED}|\`(?:\\\\[\\s\\S]|[^\`\\\\])*\`?`],
    [
      'keyword',
      words(
        'as async await break case catch class const continue default delete do else enum export extends false finally for from function if implements import in instanceof interface let new null of private protected public readonly return static super switch this throw true try type typeof undefined var void while yield boolean number string',
      ),
    ],
    ['number', NUMBER],
  ],
  cpp: [
    ['comment', C_COMMENTS],
    ['string', String.raw`${DOUBLE_QUOTED}|${SINGLE_QUOTED}|(?<=#\s*include\s*)<[^>\n]*>`],
    [
      'keyword',
      String.raw`#\s*\w+|` +
        words(
          'auto bool break case catch char class const constexpr continue default delete do double else enum explicit extern false float for friend if inline int long namespace new noexcept nullptr operator override private protected public return short signed sizeof static struct switch template this throw true try typedef typename unsigned using virtual void volatile while',
        ),
    ],
    ['number', NUMBER],
  ],
};

/** The names answers give their code blocks, by grammar. */
const ALIASES: Record<string, string> = {
  py: 'python', python3: 'python',
  sh: 'bash', shell: 'bash', zsh: 'bash', console: 'bash', 'shell-session': 'bash',
  html: 'xml', urdf: 'xml', xacro: 'xml', sdf: 'xml', launch: 'xml', svg: 'xml',
  yml: 'yaml',
  javascript: 'js', jsx: 'js', mjs: 'js', ts: 'js', typescript: 'js', tsx: 'js', jsonc: 'js',
  c: 'cpp', 'c++': 'cpp', cc: 'cpp', cxx: 'cpp', h: 'cpp', hpp: 'cpp',
};

/** Built on first use: a page whose answers show no code never compiles them. */
const compiled = new Map<string, { pattern: RegExp; kinds: TokenKind[] }>();

function tokenizerFor(language: string): { pattern: RegExp; kinds: TokenKind[] } | undefined {
  const name = language.toLowerCase();
  const key = GRAMMARS[name] ? name : ALIASES[name];
  const grammar = key === undefined ? undefined : GRAMMARS[key];
  if (key === undefined || grammar === undefined) return undefined;
  let tokenizer = compiled.get(key);
  if (!tokenizer) {
    tokenizer = { pattern: new RegExp(grammar.map(([, source]) => `(${source})`).join('|'), 'g'), kinds: grammar.map(([kind]) => kind) };
    compiled.set(key, tokenizer);
  }
  return tokenizer;
}

/** `code` as text and coloured spans; unknown languages come back as the plain text. */
export function highlight(code: string, language: string): (TemplateResult | string)[] | string {
  const tokenizer = tokenizerFor(language);
  if (!tokenizer) return code;
  const parts: (TemplateResult | string)[] = [];
  let plainFrom = 0;
  for (const match of code.matchAll(tokenizer.pattern)) {
    const kind = tokenizer.kinds[match.findIndex((group, index) => index > 0 && group !== undefined) - 1];
    if (match[0] === '' || kind === undefined) continue;
    if (match.index > plainFrom) parts.push(code.slice(plainFrom, match.index));
    parts.push(html`<span class="tok-${kind}">${match[0]}</span>`);
    plainFrom = match.index + match[0].length;
  }
  if (plainFrom < code.length) parts.push(code.slice(plainFrom));
  return parts;
}
