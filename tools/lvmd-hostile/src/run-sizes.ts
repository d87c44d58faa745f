/**
 * How big each part of the suite runs. The defaults are CI's (the whole suite in a few
 * minutes on a 2-core machine); a soak sets the environment variables, e.g.
 *
 *   HOSTILE_REQUESTS=50000 HOSTILE_FLOOD=10500 HOSTILE_CYCLES=200 npx nx run @copse/lvmd-hostile:test
 *
 * HOSTILE_SEED reproduces a run: every generated request, flood mix, load and kill
 * moment is drawn from it (the suite prints the seed it used).
 */
function count(name: string, ci: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return ci;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${raw}`);
  return n;
}

export const RUN = {
  /** generated requests over the unix socket and over TCP with a token, together */
  requests: count('HOSTILE_REQUESTS', 2400),
  /** hostile connections per listener (unix socket, TCP) in the flood */
  flood: count('HOSTILE_FLOOD', 1200),
  /** watch clients that stop reading, and clients that read in rare bursts */
  stalledWatchers: count('HOSTILE_STALLED_WATCHERS', 40),
  burstWatchers: count('HOSTILE_BURST_WATCHERS', 8),
  /** volume changes (creates and deletes) made while the watchers stall */
  watchChanges: count('HOSTILE_WATCH_CHANGES', 600),
  /** SIGKILL-and-restart cycles under the mixed load */
  cycles: count('HOSTILE_CYCLES', 6),
  /** clients of the mixed load, each running its own chain of requests */
  killClients: count('HOSTILE_KILL_CLIENTS', 6),
} as const;

/** The run's seed: HOSTILE_SEED, else a fresh one; every spec prints the one it used. */
export function runSeed(): number {
  const raw = process.env.HOSTILE_SEED;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isSafeInteger(n)) throw new Error(`HOSTILE_SEED must be an integer, not ${raw}`);
    return n | 0;
  }
  return (Date.now() ^ (process.pid << 16)) | 0;
}
