/**
 * "```mdx-code-block" fences hold MDX, not code: Docusaurus unwraps them before MDX reads the page
 * (its escape hatch for imports and JSX in documents translated through Crowdin), so their JSX
 * renders and their text is read. Docusaurus's own docs use them on half their pages, mostly to
 * open and close `<Tabs>`. Read as code, they would put `import Tabs from '@theme/Tabs'` and
 * `</TabItem>` into passages and answers.
 *
 * The same patterns as Docusaurus (`unwrapMdxCodeBlocks` in @docusaurus/utils): three or four
 * backticks, closed by the same. Docusaurus deletes the two fence lines; here they become empty
 * lines instead, so every line keeps its number for the errors shown to authors and for the
 * `{#id}` of each heading. An empty line between blocks changes nothing that is read.
 */
const MDX_CODE_BLOCKS = [
  /(?<begin>^|\r?\n)(?<indentStart>\x20*)```(?<spaces>\x20*)mdx-code-block\r?\n(?<children>.*?)\r?\n(?<indentEnd>\x20*)```(?<end>\r?\n|$)/gs,
  /(?<begin>^|\r?\n)(?<indentStart>\x20*)````(?<spaces>\x20*)mdx-code-block\r?\n(?<children>.*?)\r?\n(?<indentEnd>\x20*)````(?<end>\r?\n|$)/gs,
];

export function unwrapMdxCodeBlocks(source: string): string {
  return MDX_CODE_BLOCKS.reduce(
    (text, pattern) =>
      text.replaceAll(pattern, (...args: unknown[]) => {
        const groups = args.at(-1) as Record<'begin' | 'children' | 'end', string>;
        return `${groups.begin}\n${groups.children}\n${groups.end}`;
      }),
    source,
  );
}
