import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operations } from '@copse/lvmd-api';
import { buildApp } from './app';
import { Registry } from 'prom-client';
import { Metrics } from './metrics';
import type { LvmService } from './service/lvm-service';

describe('the OpenAPI document and the routes', () => {
  const documented = operations().map((o) => `${o.method} ${o.path.replace(/\{([^}]+)\}/g, ':$1')}`).sort();
  let registered: string[];

  beforeAll(async () => {
    const routes: string[] = [];
    const app = await buildApp({
      // routes only: nothing is called but the watch's subscription
      service: Object.assign(new EventEmitter(), { listDeviceClasses: () => [], listVolumes: () => [] }) as unknown as LvmService,
      metrics: new Metrics(new Registry(), 'n'),
      onRoute: (r) => routes.push(`${r.method} ${r.url}`),
    });
    await app.close();
    registered = routes.sort();
  });

  it('has a route for every operation and an operation for every route', () => {
    expect(registered).toEqual(documented);
  });

  it('has a describe block named after every operationId in the route specs', () => {
    const dir = join(__dirname, 'routes');
    const specs = readdirSync(dir)
      .filter((f) => f.endsWith('.spec.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const untested = operations()
      .map((o) => o.operationId)
      .filter((id) => !specs.includes(`describe('${id}'`));
    expect(untested).toEqual([]);
  });
});
