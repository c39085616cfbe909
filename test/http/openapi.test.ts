// GET /openapi.json tells the truth: live responses validate against the documented schemas.
import { Ajv2020 } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../support/factories';
import { startTestServer, type TestServer } from '../support/server';

let server: TestServer;
let doc: any;
let ajv: Ajv2020;
beforeAll(async () => {
  server = await startTestServer();
  doc = (await server.get('/openapi.json')).body;
  ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: 'openapi', components: doc.components });
});
afterAll(async () => {
  await server.close();
});

function check(pathname: string, method: string, status: number, body: unknown) {
  const response = doc.paths[pathname]?.[method]?.responses?.[status];
  expect(response, `${method} ${pathname} ${status} is documented`).toBeDefined();
  const schema = response.content['application/json'].schema;
  const validate = ajv.compile({ $ref: `openapi${schema.$ref ?? ''}`, ...(schema.$ref ? {} : schema) });
  expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
}

describe('OpenAPI document', () => {
  it('is OpenAPI 3.1 and documents the request schema the service validates with', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.schemas.Application.properties.applicant.properties.purpose.enum).toContain('radio_television');
  });

  it('the request examples the service accepts validate against the documented Application schema', () => {
    const validate = ajv.compile({ $ref: 'openapi#/components/schemas/Application' });
    expect(validate(application({ identifiers: { phone: '1' } }))).toBe(true);
    expect(validate({ ...application(), extra: 1 })).toBe(false);
  });

  it('live responses match their documented schemas', async () => {
    const decided = await server.post('/decide', application());
    check('/decide', 'post', 200, decided.body);
    check('/decide', 'post', 400, (await server.post('/decide', {})).body);
    check('/decide', 'post', 404, (await server.post('/decide', application({ product: 'nope' }))).body);
    check('/decisions/{decisionId}', 'get', 200, (await server.get(`/decisions/${decided.body.decisionId}`)).body);
    check('/decisions/{decisionId}', 'get', 404, (await server.get('/decisions/x')).body);
    check('/rules', 'get', 200, (await server.get('/rules')).body);
    check('/health', 'get', 200, (await server.get('/health')).body);
    check('/ready', 'get', 200, (await server.get('/ready')).body);
  });

  it('documents every route the app serves', () => {
    type Layer = { route?: { path: string }; handle?: { stack?: Layer[] } };
    // Routes on the app and on routers mounted at the root.
    const routes = (stack: Layer[]): string[] => stack.flatMap((l) => (l.route ? [l.route.path] : l.handle?.stack ? routes(l.handle.stack) : []));
    const app = server.service.app as unknown as { router: { stack: Layer[] } };
    const served = new Set(routes(app.router.stack).map((p) => p.replace(/:(\w+)/g, '{$1}')));
    expect(served.size).toBeGreaterThan(5);
    for (const route of served) expect(doc.paths, `route ${route}`).toHaveProperty([route]);
  });
});
