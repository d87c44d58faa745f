import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../metrics';
import { WatchLog, type WatchSource } from '../watch/event-log';
import { WatchStream, type CloseReason, type WatchLimits } from '../watch/watch-stream';
import { addOperation } from './route';

export interface WatchRouteOptions {
  readonly service: WatchSource;
  readonly historySize: number;
  readonly limits: WatchLimits;
  /** fixes the epoch of event ids (tests); random per process otherwise */
  readonly epoch?: string;
  readonly metrics?: Metrics;
}

/**
 * Server-sent events with resumable ids: a `snapshot` (or the events missed since
 * Last-Event-ID), then `capacity` and `logical-volume` events as they happen.
 */
export const watchRoutes: FastifyPluginAsync<WatchRouteOptions> = async (app, o) => {
  const log = new WatchLog(o.service, o.historySize, o.epoch);
  const streams = new Set<WatchStream>();
  // Streams never end by themselves: end them before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const s of streams) s.close('shutdown', 'lvmd-http is shutting down; reconnect with Last-Event-ID');
  });
  app.addHook('onClose', async () => log.close());

  addOperation(app, 'watch', async function watch(req, reply) {
    const headers = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      // once the stream ends (a close event), so does the connection
      connection: 'close',
      'x-request-id': String(req.id),
    };
    // HEAD: the headers a GET would get, and no stream.
    if (req.method === 'HEAD') return reply.headers(headers).send();
    const lastEventId = req.headers['last-event-id'];
    reply.hijack();
    const res = reply.raw;
    // A long-lived stream: the server's idle timeout does not apply; WatchStream bounds a stalled client.
    req.raw.socket.setTimeout(0);
    res.writeHead(200, headers);
    const stream = new WatchStream(res, log, o.limits, (reason?: CloseReason) => {
      streams.delete(stream);
      o.metrics?.watchStreams.dec();
      if (reason) {
        o.metrics?.watchStreamsClosed.inc({ reason });
        req.log.info({ reason }, 'watch stream closed by the server');
      }
    });
    streams.add(stream);
    o.metrics?.watchStreams.inc();
    stream.start(log.resume(typeof lastEventId === 'string' ? lastEventId : undefined));
  });
};
