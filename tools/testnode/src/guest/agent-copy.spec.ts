import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Server } from 'node:http';
import { ControlClient, ControlError } from '../control-client';
import { Agent, copyRange, serve } from './agent';
import { COPY_CHUNK_BYTES, GuestConfig } from './protocol';

describe('the copy operation', () => {
  let dir: string;
  let server: Server;
  let client: ControlClient;
  const token = randomBytes(16).toString('hex');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-copy-'));
    const config: GuestConfig = {
      token,
      controlPort: 0,
      dataDiskSerials: [],
      shares: [],
      volumeGroups: [],
      services: [],
      leaseSeconds: 0,
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    server = serve(new Agent(config), config);
    if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
    client = new ControlClient((server.address() as AddressInfo).port, token);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
    jest.restoreAllMocks();
  });

  it('copies a range of several chunks, not a multiple of the chunk size, through the control channel', async () => {
    const length = 2 * COPY_CHUNK_BYTES + 12345;
    const data = randomBytes(length + 1000);
    fs.writeFileSync(path.join(dir, 'src'), data);
    fs.writeFileSync(path.join(dir, 'dst'), Buffer.alloc(length + 1000, 'z'));
    expect(await client.copy(path.join(dir, 'src'), path.join(dir, 'dst'), length)).toBe(length);
    const copied = fs.readFileSync(path.join(dir, 'dst'));
    expect(copied.subarray(0, length).equals(data.subarray(0, length))).toBe(true);
    // nothing past `length` is touched
    expect(copied.subarray(length).equals(Buffer.alloc(1000, 'z'))).toBe(true);
  });

  it('creates a missing target outside /dev, and copies nothing for length 0', async () => {
    fs.writeFileSync(path.join(dir, 'small'), 'hello');
    expect(await copyRange(path.join(dir, 'small'), path.join(dir, 'new'), 5)).toBe(5);
    expect(fs.readFileSync(path.join(dir, 'new'), 'utf8')).toBe('hello');
    expect(await copyRange(path.join(dir, 'small'), path.join(dir, 'empty'), 0)).toBe(0);
    expect(fs.statSync(path.join(dir, 'empty')).size).toBe(0);
  });

  it('refuses to read past the end of the source (400) and bad arguments (400)', async () => {
    fs.writeFileSync(path.join(dir, 'short'), 'abc');
    await expect(client.copy(path.join(dir, 'short'), path.join(dir, 'out'), 10)).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('end of data at 3'),
    });
    await expect(client.call('copy', { from: '', to: path.join(dir, 'out'), length: 1 })).rejects.toBeInstanceOf(ControlError);
    await expect(client.call('copy', { from: path.join(dir, 'short'), to: path.join(dir, 'out'), length: -1 })).rejects.toMatchObject({
      status: 400,
    });
  });

  it('does not create device nodes: a missing /dev target is an error', async () => {
    fs.writeFileSync(path.join(dir, 'one'), 'x');
    await expect(client.copy(path.join(dir, 'one'), '/dev/copse-no-such-device', 1)).rejects.toMatchObject({ status: 500, code: 'ENOENT' });
    expect(fs.existsSync('/dev/copse-no-such-device')).toBe(false);
  });

  it('needs the token', async () => {
    const stranger = new ControlClient(client.port, 'wrong');
    await expect(stranger.copy(path.join(dir, 'one'), path.join(dir, 'two'), 1)).rejects.toMatchObject({ status: 401 });
    expect(fs.existsSync(path.join(dir, 'two'))).toBe(false);
  });
});
