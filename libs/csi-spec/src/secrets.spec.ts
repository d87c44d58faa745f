import * as protobuf from 'protobufjs';
import { findSecretFields, STRIPPED, stripSecrets } from './secrets';

// A contract of our own with secrets at every depth csi.proto could put them in a later version
// (options are kept by name; the extension itself need not be declared here).
const root = protobuf.parse(
  `syntax = "proto3";
   package t;
   message Credentials { string user = 1; string password = 2 [(csi_secret) = true]; }
   message Request {
     string id = 1;
     map<string, string> secrets = 2 [(csi_secret) = true];
     Credentials one = 3;
     repeated Credentials many = 4;
     map<string, Credentials> by_name = 5;
     bytes key = 6 [(csi_secret) = true];
   }`,
  { keepCase: true },
).root;
root.resolveAll();
const Request = root.lookupType('t.Request');

describe('secret fields from csi_secret options', () => {
  it('lists each message with its secret fields', () => {
    expect(Object.fromEntries(findSecretFields(root))).toEqual({ 't.Credentials': ['password'], 't.Request': ['secrets', 'key'] });
  });

  it('strips them at any depth: nested, repeated and map values', () => {
    const creds = (n: number) => ({ user: `u${n}`, password: `pw${n}` });
    const stripped = stripSecrets(Request, {
      id: 'a',
      secrets: { k: 'v' },
      one: creds(1),
      many: [creds(2), creds(3)],
      by_name: { x: creds(4) },
      key: Buffer.from('k'),
      extra: 'kept',
    });
    expect(stripped).toEqual({
      id: 'a',
      secrets: STRIPPED,
      one: { user: 'u1', password: STRIPPED },
      many: [
        { user: 'u2', password: STRIPPED },
        { user: 'u3', password: STRIPPED },
      ],
      by_name: { x: { user: 'u4', password: STRIPPED } },
      key: STRIPPED,
      extra: 'kept',
    });
    expect(JSON.stringify(stripped)).not.toMatch(/pw\d/);
  });

  it('leaves absent and empty secrets as they are, so a log shows none were sent', () => {
    expect(stripSecrets(Request, { id: 'a', secrets: {}, one: null, many: [] })).toEqual({ id: 'a', secrets: {}, one: null, many: [] });
  });
});
