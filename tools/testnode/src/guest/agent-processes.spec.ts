import { listProcesses } from './agent';

describe('the processes operation', () => {
  it('lists this process with its parent, argv and CPU time, read from /proc', () => {
    const until = Date.now() + 50;
    while (Date.now() < until); // some CPU time to count
    const me = listProcesses().find((p) => p.pid === process.pid);
    expect(me?.ppid).toBe(process.ppid);
    expect(me?.argv).toContain(process.argv[1]);
    expect(me?.cpuSeconds).toBeGreaterThan(0);
  });
});
