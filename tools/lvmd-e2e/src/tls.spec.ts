/**
 * lvmd-http over TLS on a real TCP listener (issue 6, finding 12): server certificates,
 * client certificates (mutual TLS, what node-to-node traffic will use; like a token,
 * needed on every operation but the probes), and TLS with a bearer token. Every key and certificate is made here by the openssl CLI, in a
 * temporary directory, and thrown away.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { LvmdClient, LvmdClientError } from '@copse/lvmd-api';
import { startLvmd, type LvmdProcess } from './lvmd-process';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasOpenssl && process.env.CI === 'true') throw new Error('openssl is needed for the TLS suite (apt-get install openssl)');
const describeTls = hasOpenssl ? describe : describe.skip;
if (!hasOpenssl) console.warn('SKIPPED lvmd-http TLS suite: the openssl CLI is not installed');

interface Pem {
  cert: string;
  key: string;
}

/** A throw-away PKI: a CA, lvmd-http's certificate for 127.0.0.1, a client's, and a stranger CA's client. */
function makePki(dir: string): { ca: string; server: Pem; client: Pem; stranger: Pem } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const key = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', `${name}.key`);
  const ca = (name: string) => {
    key(name);
    openssl('req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-days', '1', '-out', `${name}.crt`);
  };
  const leaf = (name: string, issuer: string, ext: string) => {
    key(name);
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  };
  ca('copse-test-ca');
  ca('stranger-ca');
  leaf('lvmd-http', 'copse-test-ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('csi-node', 'copse-test-ca', 'extendedKeyUsage=clientAuth\n');
  leaf('intruder', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  const pem = (name: string) => ({ cert: read(`${name}.crt`), key: read(`${name}.key`) });
  return { ca: read('copse-test-ca.crt'), server: pem('lvmd-http'), client: pem('csi-node'), stranger: pem('intruder') };
}

describeTls('lvmd-http over TLS', () => {
  let dir: string;
  let pki: ReturnType<typeof makePki>;
  const running: LvmdProcess[] = [];
  const file = (name: string) => path.join(dir, name);
  const serve = async (args: string[]): Promise<string> => {
    const p = startLvmd(['--listen', 'tcp:127.0.0.1:0', '--tls-cert', file('lvmd-http.crt'), '--tls-key', file('lvmd-http.key'), ...args]);
    running.push(p);
    const { listen } = await p.ready;
    return `https://127.0.0.1:${listen.split(':').pop()}`;
  };

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'copse-tls-'));
    pki = makePki(dir);
    fs.writeFileSync(file('token'), 'dGhpcy1pcy1hLXRlc3QtdG9rZW4tb2YtMzItYnl0ZXMhIQ==\n');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('with client certificates (mutual TLS)', () => {
    let base: string;
    beforeAll(async () => {
      base = await serve(['--tls-client-ca', file('copse-test-ca.crt')]);
    }, 30_000);

    it('serves a client whose certificate the CA signed', async () => {
      const r = await request(base).get('/v1/device-classes').ca(pki.ca).cert(pki.client.cert).key(pki.client.key).expect(200);
      expect(r.body.items.map((d: { name: string }) => d.name)).toEqual(['thin', 'thick']);
      const client = new LvmdClient({ endpoint: base, tls: { ca: pki.ca, ...pki.client } });
      try {
        expect((await client.createLogicalVolume('tls1', { sizeBytes: 2 ** 30 })).created).toBe(true);
      } finally {
        await client.close();
      }
    });

    it('answers a client without a certificate, or with one another CA signed, 401 and closes its connection', async () => {
      const ask = (pem?: Pem) => {
        const r = request(base).get('/v1/device-classes').ca(pki.ca);
        return pem ? r.cert(pem.cert).key(pem.key) : r;
      };
      for (const [who, pem] of [
        ['no certificate', undefined],
        ["a stranger CA's certificate", pki.stranger],
      ] as const) {
        const r = await ask(pem);
        expect([who, r.status, r.body.code, r.body.field, r.headers.connection]).toEqual([who, 401, 'unauthorized', 'tls.clientCertificate', 'close']);
      }
    });

    it('keeps the probes open, as on every listener', async () => {
      await request(base).get('/healthz').ca(pki.ca).expect(200);
      await request(base).get('/readyz').ca(pki.ca).expect(200);
    });

    it('does not speak plain HTTP on the TLS port', async () => {
      await expect(request(base.replace('https:', 'http:')).get('/healthz').timeout(3000)).rejects.toThrow(/socket hang up|ECONNRESET|Parse Error/);
    });
  });

  describe('with a bearer token', () => {
    let base: string;
    beforeAll(async () => {
      base = await serve(['--token-file', file('token')]);
    }, 30_000);

    it('needs the token over TLS, and answers 401 problems without it', async () => {
      const token = fs.readFileSync(file('token'), 'utf8').trim();
      await request(base).get('/v1/device-classes').ca(pki.ca).set('authorization', `Bearer ${token}`).expect(200);
      const refused = await request(base).get('/v1/device-classes').ca(pki.ca).expect(401);
      expect(refused.body.code).toBe('unauthorized');
      const client = new LvmdClient({ endpoint: base, tls: { ca: pki.ca } });
      try {
        await expect(client.listDeviceClasses()).rejects.toBeInstanceOf(LvmdClientError);
      } finally {
        await client.close();
      }
    });
  });

  it('refuses to start with a token shorter than 32 bytes', async () => {
    fs.writeFileSync(file('short'), 'x\n');
    const p = startLvmd(['--listen', 'tcp:127.0.0.1:0', '--token-file', file('short')]);
    expect(await p.exited).toBe(2);
    expect(p.output()).toMatch(/--token-file .*short: the token is 1 bytes; at least 32 are needed/);
  });
});
