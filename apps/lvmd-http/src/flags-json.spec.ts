import { FLAG_OPTIONS, FlagError, USAGE, flagsJson, parseFlags } from './flags';

// --help=json is what deploy/'s render-and-check test asks the app: it must be the table
// parseFlags really parses with, and every flag in it documented.
describe('--help=json', () => {
  const listed = (JSON.parse(flagsJson()) as { flags: { name: string; type: string }[] }).flags;

  it('lists every flag of the table with its type, and USAGE documents each', () => {
    expect(listed.map((f) => f.name)).toEqual(Object.keys(FLAG_OPTIONS));
    for (const f of listed) {
      expect(['string', 'boolean']).toContain(f.type);
      expect(USAGE).toContain(`--${f.name}`);
    }
  });

  it('names only flags parseFlags accepts, and parseFlags refuses one it does not name', () => {
    for (const f of listed) {
      const argv = f.type === 'boolean' ? [`--${f.name}`] : [`--${f.name}=x`];
      try {
        parseFlags(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(FlagError);
        expect((e as Error).message).not.toMatch(/Unknown option/);
      }
    }
    expect(() => parseFlags(['--no-such-flag=x'])).toThrow(/Unknown option '--no-such-flag'/);
  });
});
