import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const FILE = join(__dirname, '../../../docs/benchmarks.md');
const PREAMBLE =
  '# Benchmarks\n\nBenchmarks live in `tools/bench`; they are not tests and set no pass/fail\nthresholds. Each section says on what machine and when it was measured.\n';

/**
 * Puts `section` (starting with `heading`, a "## " line) into docs/benchmarks.md: in place
 * of the section with that heading, up to the next "## ", or at the end. Answers the file.
 */
export function writeBenchmarkSection(heading: string, section: string): string {
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : PREAMBLE;
  const start = text.indexOf(`${heading}\n`);
  if (start >= 0) {
    const next = text.slice(start + heading.length).search(/\n## /);
    const end = next >= 0 ? start + heading.length + next + 1 : text.length;
    text = `${text.slice(0, start)}${section}\n${next >= 0 ? '\n' : ''}${text.slice(end)}`;
  } else {
    text = `${text.replace(/\n*$/, '\n')}\n${section}\n`;
  }
  writeFileSync(FILE, text);
  return FILE;
}
