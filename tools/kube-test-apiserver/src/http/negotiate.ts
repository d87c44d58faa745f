/**
 * Content negotiation: JSON or YAML, and the meta.k8s.io transformations a client may ask for
 * in Accept (as=Table, as=PartialObjectMetadata[List], as=APIGroupDiscoveryList).
 * Protobuf is not spoken: a client that accepts only protobuf gets 406 NotAcceptable.
 */
import { notAcceptable } from '../api/status';

export interface MediaType {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

export interface Negotiated {
  readonly format: 'json' | 'yaml';
  /** Table, PartialObjectMetadata, PartialObjectMetadataList, APIGroupDiscoveryList */
  readonly as?: string;
  readonly asVersion?: string;
  readonly asGroup?: string;
}

export function parseAccept(header: string | undefined): MediaType[] {
  if (!header) return [{ type: '*/*', params: {} }];
  return header
    .split(',')
    .map((part) => {
      const [type = '', ...ps] = part.trim().split(';');
      const params: Record<string, string> = {};
      for (const p of ps) {
        const i = p.indexOf('=');
        if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim();
      }
      return { type: type.trim().toLowerCase(), params };
    })
    .filter((m) => m.type !== '');
}

const JSON_TYPES = ['application/json', 'application/*', '*/*', 'application/json;stream=watch'];

/**
 * Picks the first acceptable media type. `transforms` lists the `as=` values this endpoint can
 * produce (with their group/version), e.g. Table for resources.
 */
export function negotiate(header: string | undefined, transforms: readonly { as: string; g: string; v: string[] }[] = []): Negotiated {
  for (const m of parseAccept(header)) {
    const format = m.type === 'application/yaml' ? 'yaml' : JSON_TYPES.includes(m.type) ? 'json' : undefined;
    if (!format) continue;
    const as = m.params.as;
    if (!as) return { format };
    const t = transforms.find((x) => x.as === as && x.g === (m.params.g ?? '') && x.v.includes(m.params.v ?? ''));
    if (t) return { format, as, asGroup: t.g, asVersion: m.params.v };
  }
  throw notAcceptable(['application/json', 'application/yaml']);
}

/** The media type of a request body, without parameters. */
export function bodyMediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}
