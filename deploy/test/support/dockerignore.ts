/**
 * .dockerignore matching as Docker's builder does it (moby/patternmatcher): patterns are relative to
 * the context root, `*` and `?` stay within a path segment, `**` spans any number of segments, a
 * pattern that matches a folder excludes everything in it, and later `!patterns` re-include.
 * Unlike .gitignore, a bare `name` matches only at the root.
 */
import { posix } from 'node:path';

interface Pattern {
  exclusion: boolean;
  regex: RegExp;
}

function globToRegex(glob: string): RegExp {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index] as string;
    if (char === '*') {
      if (glob[index + 1] === '*') {
        index += 1;
        // `**/` also matches nothing at all: `**/x` matches `x` at the root.
        if (glob[index + 1] === '/') {
          index += 1;
          source += '(?:.*/)?';
        } else {
          source += '.*';
        }
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else if (char === '[') {
      const end = glob.indexOf(']', index);
      if (end < 0) throw new Error(`unterminated [ in .dockerignore pattern ${glob}`);
      source += `[${glob.slice(index + 1, end).replace(/^!/, '^')}]`;
      index = end;
    } else if (char === '\\') {
      index += 1;
      source += (glob[index] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}

export class DockerIgnore {
  private readonly patterns: Pattern[];

  constructor(text: string) {
    this.patterns = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => {
        const exclusion = line.startsWith('!');
        const cleaned = posix.normalize((exclusion ? line.slice(1) : line).trim().replace(/^\/+/, '')).replace(/\/+$/, '');
        return { exclusion, regex: globToRegex(cleaned) };
      });
  }

  /** Whether there are `!` exceptions (an excluded folder may then still hold included files). */
  get hasExceptions(): boolean {
    return this.patterns.some((pattern) => pattern.exclusion);
  }

  /** `relativePath` is relative to the context root, with forward slashes. */
  ignores(relativePath: string): boolean {
    const path = posix.normalize(relativePath).replace(/^\.\//, '');
    const segments = path.split('/');
    // The path itself and each folder above it: excluding a folder excludes what is inside.
    const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
    let ignored = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== ignored) continue; // only a pattern that could flip the result matters
      if (candidates.some((candidate) => pattern.regex.test(candidate))) ignored = !pattern.exclusion;
    }
    return ignored;
  }
}
