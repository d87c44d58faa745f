import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { apiCallsInSource, mergeApiCalls, type ApiCall, type ApiCalls } from '@copse/controller-runtime';
import { apiCalls } from './api-calls';

// The calls each source file makes (read from the file) must be what the file declares in
// API_CALLS, and the app's list the union: a call added without its declaration fails here.
const GROUP = 'lv.example';
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? sources(p) : e.endsWith('.ts') && !e.endsWith('.spec.ts') ? [p] : [];
  });

describe('the API calls csi-controller declares', () => {
  const files = sources(__dirname).map((path) => ({ path, found: apiCallsInSource(readFileSync(path, 'utf8'), GROUP) }));
  const calling = files.filter((f) => f.found.length > 0);

  it('finds the calls (the reading works on this code)', () => {
    expect(calling.length).toBeGreaterThan(1);
  });

  it.each(calling.map((f) => [relative(__dirname, f.path), f.found] as const))('%s declares exactly the calls it makes', (file, found) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const declared = (require(join(__dirname, file)) as { API_CALLS?: ApiCalls }).API_CALLS;
    expect(declared).toBeDefined();
    expect(mergeApiCalls([declared!(GROUP)])).toEqual(found);
  });

  it("is the union of its modules' declarations, and every module with calls is in it", () => {
    const union: ApiCall[] = mergeApiCalls(calling.map((f) => f.found));
    expect(apiCalls(GROUP)).toEqual(union);
  });
});
