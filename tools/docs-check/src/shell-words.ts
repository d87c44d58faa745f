/**
 * Splits a documented command line into argv the way a POSIX shell would for the
 * subset the docs use (single and double quotes, backslash-newline continuations),
 * so the examples can be run with execFile and no shell.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      current += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length) j++;
        current += line[j];
      }
      if (j >= line.length) throw new Error(`unterminated " in: ${line}`);
      inWord = true;
      i = j;
    } else if (c === '\\' && line[i + 1] === '\n') {
      i++;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else if (/[;&|<>`$(){}*?]/.test(c)) {
      throw new Error(`the docs checker runs no shell; unsupported character ${c} in: ${line}`);
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}

/** The commands of every ```sh block of a Markdown text (continuations joined). */
export function shCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const m of markdown.matchAll(/```sh\n([\s\S]*?)```/g)) {
    const body = m[1]!.replace(/\\\n\s*/g, ' ');
    for (const line of body.split('\n')) {
      const trimmed = line.trim();
      if (trimmed && !trimmed.startsWith('#')) commands.push(trimmed);
    }
  }
  return commands;
}
