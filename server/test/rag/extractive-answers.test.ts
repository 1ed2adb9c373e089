/**
 * The rules an extractive answer (no LLM) keeps, checked through the real pipeline: a small course
 * written like third-party content (definitions after a lead-in, lists, an exercise section, a
 * sentence opening with "It's", code) is ingested with the bundled model and asked over HTTP.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../helpers/app.js';
import { answerText, eventOf, postChat, readEvents, startChatServer, type ChatServer } from '../helpers/chat.js';

const PUMPS_PAGE = `---
title: Hydraulic pumps
---
# Hydraulic pumps

## What is a gear pump?

Gear pumps appear in almost every hydraulic power unit on the shop floor. A gear pump is a positive-displacement pump that moves fluid by trapping it between the teeth of two meshing gears. Because it keeps pushing fluid even when the outlet is blocked, a gear pump needs a relief valve: pressure rises until the valve opens, or until a hose or seal bursts.

## Design principles

Every reliable pump installation is built upon several core principles:

- Keep the inlet flooded so the pump never runs dry.
- Size the relief valve for the full flow of the pump.
- Filter the fluid before it reaches the gears.

## Shut-off head

It's the pressure a pump builds when its outlet is fully closed. Running at shut-off for long overheats the fluid, so controllers cap the time spent there.

## Priming the pump

Priming fills the pump and its suction line with fluid before the first start, so the gears never turn dry.
To prime the pump from the controller, call the prime command and wait until flow is detected:

\`\`\`python
pump.prime(timeout_s=30)
pump.wait_for_flow()
\`\`\`

## Tracking down a fault

- Isolate the circuit: Which branch loses pressure first?
- Read the gauges: Does the inlet gauge show a vacuum?
- Check the alarm log: Which alarms fired before the stop?

## Exercises

1. Why does a gear pump need a relief valve? Explain in two sentences.
2. Which of the design principles above protects the gears from dirt?
`;

const VALVES_PAGE = `---
title: Relief valves
---
# Relief valves

## Valve settings

Every relief valve leaves the factory with settings that suit most power units:

| Setting | Unit | Default | Meaning |
| --- | --- | --- | --- |
| crackPressure | bar | 180 | Pressure at which the valve starts to open |
| fullFlowPressure | bar | 210 | Pressure at which the whole pump flow passes through |
| reseatMargin | percent | 10 | How far pressure must fall before the valve closes again |

## Two valves on one line

Now and then two relief valves end up fitted on the same pressure line. Only the one with the lower crack pressure ever opens; the other stays shut and hides its own faults. Plug the spare port or remove the second valve.

## Before you move on

- Q1: Which of two relief valves on one line ever opens?
- Q2: What is the default crack pressure?
`;

const BENCH_TESTS_PAGE = `---
title: Bench tests
---
# Bench tests

**Book**: Relief Valve Field Guide for Hydraulic Technicians — Second Edition

## Testing on the machine

Bench testing a relief valve takes a hand pump and a calibrated gauge. Most technicians test the valve on the machine instead, since it saves removing it. However, a valve tested on the machine reads about 10 bar high, because ripple from the running pump lifts the seat early.

## A test that went wrong

On one test the technician overtightened the gauge fitting until the thread split. The pressure dropped to zero.

## Reporting a stuck valve

When a valve sticks during a test, radio the control room and say "Valve stuck, isolating the line." Then close the isolation valve upstream, as [the site safety rules require.](https://example.com/safety-rules).
`;

const PUBLISHING_PAGE = `---
title: Publishing the manual
---
# Publishing the manual

## Routes

Routes are generated from file paths. You may accidentally create multiple pages that are meant to be accessed on the same route. When this happens, the build warns you about duplicate routes, but the site will still be built successfully. Routes are sorted by path before they are written. Trailing slashes are added when the trailingSlash option is true. The page that was created last will be accessible, but it will override other conflicting pages. Static assets are copied as they are.
`;

/** Written the way Docusaurus's own docs are: tabs opened in "mdx-code-block" fences, a ````md block showing a ```jsx one. */
const CODE_TITLES_PAGE = [
  '---',
  'title: Code block titles',
  '---',
  '```mdx-code-block',
  "import Tabs from '@theme/Tabs';",
  "import TabItem from '@theme/TabItem';",
  '```',
  '',
  '## Code title {#code-title}',
  '',
  'To give a code block a title, add a title key after the language of its opening fence:',
  '',
  '````md',
  '```jsx title="/src/components/HelloCodeTitle.js"',
  'function HelloCodeTitle(props) {',
  '  return <h1>Hello, {props.name}</h1>;',
  '}',
  '```',
  '````',
  '',
  '## Title styles {#title-styles}',
  '',
  '```mdx-code-block',
  '<Tabs>',
  '<TabItem value="light" label="Light">',
  '```',
  '',
  'The title bar of a code block is shaded lighter than the code in the light theme.',
  '',
  '```mdx-code-block',
  '</TabItem>',
  '</Tabs>',
  '```',
  '',
].join('\n');

async function ask(server: ChatServer, message: string) {
  const call = await postChat(server.url, { message });
  const { events } = await readEvents(call.response);
  return { answer: answerText(events), notCovered: eventOf(events, 'notice')?.data.code === 'not_covered', sources: eventOf(events, 'sources')?.data.sources ?? [] };
}

describe('extractive answers a reader would accept (bundled model, no LLM)', () => {
  let server: ChatServer;
  const docs = temporaryDirectory();
  beforeAll(async () => {
    mkdirSync(join(docs.path, 'hydraulics'));
    writeFileSync(join(docs.path, 'hydraulics', 'pumps.md'), PUMPS_PAGE);
    writeFileSync(join(docs.path, 'hydraulics', 'valves.md'), VALVES_PAGE);
    writeFileSync(join(docs.path, 'hydraulics', 'publishing.md'), PUBLISHING_PAGE);
    writeFileSync(join(docs.path, 'hydraulics', 'bench-tests.md'), BENCH_TESTS_PAGE);
    writeFileSync(join(docs.path, 'hydraulics', 'code-titles.mdx'), CODE_TITLES_PAGE);
    server = await startChatServer('pglite', {}, docs.path);
  });
  afterAll(async () => {
    await server?.close();
    docs?.remove();
  });

  it('leads a "what is" answer with the definition, not the sentence before it', async () => {
    const { answer, notCovered } = await ask(server, 'What is a gear pump?');
    expect(notCovered).toBe(false);
    expect(answer).toMatch(/^A gear pump is a positive-displacement pump/);
  });

  it('keeps a list whole, with the sentence that introduces it', async () => {
    const { answer } = await ask(server, 'Which principles is a reliable pump installation built upon?');
    expect(answer).toContain('built upon several core principles');
    for (const item of ['Keep the inlet flooded', 'Size the relief valve', 'Filter the fluid']) expect(answer).toContain(item);
  });

  it('never quotes an exercise or a question as the answer', async () => {
    const { answer, notCovered } = await ask(server, 'Why does a gear pump need a relief valve?');
    expect(notCovered).toBe(false);
    expect(answer).toContain('keeps pushing fluid even when the outlet is blocked');
    expect(answer).not.toContain('Explain in two sentences');
    expect(answer).not.toContain('?');
  });

  it('quotes a checklist whose steps ask what to look for, never a list of quiz questions', async () => {
    const checklist = await ask(server, 'How do I track down a fault when the hydraulic circuit stops?');
    expect(checklist.notCovered).toBe(false);
    for (const step of ['Isolate the circuit: Which branch loses pressure first?', 'Read the gauges:', 'Check the alarm log:']) expect(checklist.answer).toContain(step);
    const quizzed = await ask(server, 'What is the default crack pressure of a relief valve?');
    expect(quizzed.answer).toContain('crackPressure — Unit: bar; Default: 180');
    expect(quizzed.answer).not.toContain('Q2');
  });

  it('brings back the sentence a "However, …" answer replies to, in reading order', async () => {
    const { answer } = await ask(server, 'Why does a relief valve tested on the machine read high?');
    expect(answer).toContain('ripple from the running pump lifts the seat early');
    expect(answer).not.toMatch(/^However/);
    expect(answer).toMatch(/test the valve on the machine instead, since it saves removing it \[\d\]\. However, a valve tested on the machine/);
  });

  it('cites a quoted or linked sentence after its closing quote, with one full stop', async () => {
    const { answer } = await ask(server, 'What do I radio to the control room when a valve sticks during a test?');
    expect(answer).toMatch(/say "Valve stuck, isolating the line\." \[\d\]/);
    expect(answer).toMatch(/as the site safety rules require \[\d\]\.(?!\.)/);
  });

  it('never quotes a title or byline as the answer', async () => {
    const { answer, notCovered } = await ask(server, 'What does the field guide for hydraulic technicians say about bench testing a relief valve?');
    expect(notCovered).toBe(false);
    expect(answer).toContain('Bench testing a relief valve takes a hand pump and a calibrated gauge');
    expect(answer).not.toContain('Second Edition');
  });

  it('brings the sentence a short outcome depends on ("The pressure dropped to zero.")', async () => {
    const { answer } = await ask(server, 'Why did the pressure drop to zero during a bench test?');
    expect(answer).toMatch(/overtightened the gauge fitting until the thread split \[\d\]\. The pressure dropped to zero/);
  });

  it('does not open with a pronoun whose antecedent it left out', async () => {
    const { answer } = await ask(server, 'What is the shut-off head of a pump?');
    expect(answer).toContain('pressure a pump builds when its outlet is fully closed');
    expect(answer).not.toMatch(/^(?:It|It's|This|They)\b/);
  });

  it('shows code when asked how to do something in code, and not otherwise', async () => {
    const howTo = await ask(server, 'How do I prime the pump from the controller? Show me the code.');
    expect(howTo.answer).toContain('pump.prime(timeout_s=30)');
    const what = await ask(server, 'What does priming a pump do?');
    expect(what.answer).toContain('fills the pump and its suction line');
    expect(what.answer).not.toContain('```');
  });

  it('shows a Markdown example that holds a code block whole, and never the page\'s MDX plumbing', async () => {
    const { answer, sources } = await ask(server, 'How do I add a title to a code block? Show me an example.');
    expect(answer).toContain('add a title key after the language');
    expect(answer).toContain('````md\n```jsx title="/src/components/HelloCodeTitle.js"\nfunction HelloCodeTitle(props) {');
    expect(answer).toContain('}\n```\n````');
    const shaded = await ask(server, 'How is the title bar of a code block shaded in the light theme?');
    expect(shaded.answer).toContain('shaded lighter than the code');
    for (const { answer: text } of [{ answer }, shaded]) expect(text).not.toMatch(/mdx-code-block|import Tabs|TabItem/);
    const cited = [...sources, ...shaded.sources].filter((source) => source.url.includes('code-titles'));
    expect(cited.length).toBeGreaterThan(0);
    for (const source of cited) expect(source.snippet).not.toContain('`');
  });

  it('says the course does not cover a setting it never names, yet answers about names it does and a reader\'s own', async () => {
    const unknown = await ask(server, 'How do I set PUMP_PRIME_TIMEOUT for the prime command?');
    expect(unknown.notCovered).toBe(true);
    expect(unknown.answer).not.toContain('pump.prime');
    const known = await ask(server, 'What does crackPressure default to?');
    expect(known.notCovered).toBe(false);
    expect(known.answer).toContain('Default: 180');
    const own = await ask(server, 'My prime_pump_loop script never primes anything. How do I prime the pump from the controller?');
    expect(own.notCovered).toBe(false);
    expect(own.answer).toContain('call the prime command');
  });

  it('answers from a table row, read with its column names', async () => {
    const { answer, notCovered } = await ask(server, 'What is the default crack pressure of a relief valve?');
    expect(notCovered).toBe(false);
    expect(answer).toMatch(/crackPressure — Unit: bar; Default: 180; Meaning: Pressure at which the valve starts to open \[\d\]\./);
    expect(answer).not.toContain('|');
  });

  it('quotes the sentence that continues the one it leads with', async () => {
    const { answer } = await ask(server, 'Two relief valves are fitted on the same line. What happens?');
    expect(answer).toMatch(/two relief valves end up fitted on the same pressure line \[\d\]\. Only the one with the lower crack pressure ever opens/);
  });

  it('adds the sentence that answers a paraphrase though it shares no rare word with it (the sentence model)', async () => {
    const { answer } = await ask(server, 'I accidentally made multiple pages on the same route. Which one do visitors actually get to see?');
    // The lead shares the question's words; the answer itself ("the one created last") shares none.
    expect(answer).toMatch(/^You may accidentally create multiple pages/);
    expect(answer).toMatch(/The page that was created last will be accessible, but it will override other conflicting pages \[\d\]\./);
  });

  it('answers in at most five cited sentences', async () => {
    const { answer } = await ask(server, 'What happens when a pump runs at shut-off for a long time?');
    const sentences = answer.split(/(?<=[.!?])\s+(?=[A-Z])/).filter((sentence) => sentence.trim() !== '');
    expect(sentences.length).toBeGreaterThan(0);
    expect(sentences.length).toBeLessThanOrEqual(5);
    expect(answer).toMatch(/\[1\]/);
  });
});
