/**
 * Reads an env file the way `docker compose` (env_file, --env-file) and `docker run --env-file`
 * both read the files in this repository: `KEY=value` lines, `#` comments. The example file
 * writes values unquoted so that the two tools agree; quotes are refused rather than interpreted.
 */

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
/** A commented-out assignment: `# KEY=value` documents a variable left at its default. */
const COMMENTED_ASSIGNMENT = /^#\s?([A-Z][A-Z0-9_]*)=(.*)$/;

/** The variables the file sets, as the container will see them. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const match = ASSIGNMENT.exec(line);
    if (!match?.[1]) throw new Error(`line ${index + 1} is not KEY=value: ${raw}`);
    const value = match[2] ?? '';
    if (/^["']/.test(value)) throw new Error(`line ${index + 1}: ${match[1]} is quoted; docker run --env-file would keep the quotes`);
    env[match[1]] = value;
  });
  return env;
}

export interface DocumentedVariable {
  name: string;
  /** Set in the file (true) or shown commented out (false). */
  active: boolean;
  value: string;
  /** The prose comment above it (shared by a group of related variables). */
  description: string;
  line: number;
}

/** Every variable the file sets or shows commented out, with the comment that explains it. */
export function documentedVariables(text: string): DocumentedVariable[] {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const result: DocumentedVariable[] = [];
  lines.forEach((line, index) => {
    const active = ASSIGNMENT.exec(line);
    const commented = active ? undefined : COMMENTED_ASSIGNMENT.exec(line);
    const match = active ?? commented;
    if (!match?.[1]) return;
    // Walk up over neighbouring assignments (a group) to the prose above them.
    let cursor = index - 1;
    while (cursor >= 0 && (ASSIGNMENT.test(lines[cursor] as string) || COMMENTED_ASSIGNMENT.test(lines[cursor] as string))) cursor -= 1;
    const prose: string[] = [];
    while (cursor >= 0 && (lines[cursor] as string).startsWith('#') && !COMMENTED_ASSIGNMENT.test(lines[cursor] as string)) {
      prose.unshift((lines[cursor] as string).replace(/^#\s?/, ''));
      cursor -= 1;
    }
    result.push({ name: match[1], active: active !== null, value: match[2] ?? '', description: prose.join(' '), line: index + 1 });
  });
  return result;
}
