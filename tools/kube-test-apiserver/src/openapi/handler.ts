/** Serves /openapi/v2 (JSON or protobuf) and /openapi/v3 with per group-version documents. */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pageNotFound } from '../api/status';
import type { ResourceRegistry } from '../kinds/registry';
import { writeBody } from '../http/respond';
import { openApiV2, openApiV3, v3GroupVersions } from './document';
import { encodeOpenApiV2 } from './protobuf';

const PROTO_V2 = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PROTO_V2_RESPONSE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

export class OpenApiServer {
  private v2json?: Record<string, unknown>;
  private v2proto?: Buffer;
  private readonly v3 = new Map<string, { text: string; hash: string }>();

  constructor(
    private readonly kinds: ResourceRegistry,
    private readonly serverVersion: string,
  ) {
    kinds.onChange(() => {
      this.v2json = undefined;
      this.v2proto = undefined;
      this.v3.clear();
    });
  }

  private v3doc(key: string, group: string, version: string): { text: string; hash: string } | undefined {
    let d = this.v3.get(key);
    if (!d) {
      const doc = openApiV3(this.kinds, group, version, this.serverVersion);
      if (!doc) return undefined;
      const text = JSON.stringify(doc);
      d = { text, hash: createHash('sha512').update(text).digest('hex').toUpperCase() };
      this.v3.set(key, d);
    }
    return d;
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === '/openapi/v2') {
      this.v2json ??= openApiV2(this.kinds, this.serverVersion);
      const accept = req.headers.accept ?? '';
      if (accept.includes(PROTO_V2) || accept.includes('com.github.proto-openapi.spec.v2')) {
        this.v2proto ??= encodeOpenApiV2(this.v2json);
        res.writeHead(200, { 'Content-Type': PROTO_V2_RESPONSE, 'Content-Length': this.v2proto.length });
        res.end(this.v2proto);
        return;
      }
      writeBody(res, 200, this.v2json, { format: 'json' });
      return;
    }
    if (path === '/openapi/v3') {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const gv of v3GroupVersions(this.kinds)) {
        const d = this.v3doc(gv.key, gv.group, gv.version);
        if (d) paths[gv.key] = { serverRelativeURL: `/openapi/v3/${gv.key}?hash=${d.hash}` };
      }
      writeBody(res, 200, { paths }, { format: 'json' });
      return;
    }
    const key = path.slice('/openapi/v3/'.length);
    const gv = v3GroupVersions(this.kinds).find((x) => x.key === key);
    const d = gv && this.v3doc(gv.key, gv.group, gv.version);
    if (!d) throw pageNotFound();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(d.text), Etag: `"${d.hash}"` });
    res.end(d.text);
  }
}
