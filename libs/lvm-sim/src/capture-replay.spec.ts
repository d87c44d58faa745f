/**
 * Replays the captured real lvm2 2.03.16 session command by command against a fresh
 * SimulatedLvm and compares exit code, stdout and stderr line by line. Only uuids,
 * kernel minor numbers and lv_time are normalised.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { SimulatedLvm } from './simulated-lvm';

const CAPTURE = path.resolve(__dirname, '../../../../shared/reference/lvm2-2.03.16-capture.txt');

interface Captured {
  readonly command: string;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

function parseCapture(text: string): Captured[] {
  const start = text.indexOf('### $ ');
  const body = text.slice(start);
  const blocks = body.split(/^### \$ /m).filter((b) => b.length > 0);
  return blocks.map((block) => {
    const m = /^(.*)\n### exit=(\d+)\n### stdout:\n([\s\S]*?)### stderr:\n([\s\S]*?)### end\n?/.exec(block);
    if (!m) throw new Error(`unparseable capture block: ${block.slice(0, 80)}`);
    return { command: m[1]!, exitCode: Number(m[2]), stdout: m[3]!, stderr: m[4]! };
  });
}

const UUID = /[A-Za-z0-9]{6}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{6}/g;

function normalise(text: string): string[] {
  return text
    .replace(UUID, '<uuid>')
    .replace(/"lv_kernel_minor":"\d+"/g, '"lv_kernel_minor":"<minor>"')
    .replace(/"lv_time":"[^"]*"/g, '"lv_time":"<time>"')
    .split('\n');
}

const captureText = readFileSync(CAPTURE, 'utf8');
const captured = parseCapture(captureText);

describe('replay of the real lvm2 2.03.16 capture', () => {
  it('parsed the whole capture', () => {
    expect(captured).toHaveLength(captureText.split('### $ ').length - 1);
    expect(captured[0]!.command).toBe('pvcreate /dev/vda');
    expect(captured[captured.length - 1]!.command).toMatch(/^lvm fullreport/);
  });

  const sim = new SimulatedLvm({ devices: { '/dev/vda': 1073741824 }, uuids: 'sequential' });
  for (const [i, c] of captured.entries()) {
    if (c.command.startsWith('lvm fullreport')) {
      // lvmd-http reads with lvs and vgs only; fullreport is outside the simulation,
      // which refuses it plainly instead of answering something lvm2 would not.
      it(`#${i} ${c.command}: refused as not simulated`, async () => {
        const result = await sim.run(c.command.split(' '));
        expect(result.exitCode).toBe(3);
        expect(result.stderr).toMatch(/not implemented by the simulated lvm2/);
      });
      continue;
    }
    it(`#${i} ${c.command}`, async () => {
      // The capture joins argv with spaces and no argument contains one.
      const result = await sim.run(c.command.split(' '));
      expect({ exit: result.exitCode, stdout: normalise(result.stdout), stderr: normalise(result.stderr) }).toEqual({
        exit: c.exitCode,
        stdout: normalise(c.stdout),
        stderr: normalise(c.stderr),
      });
    });
  }
});
