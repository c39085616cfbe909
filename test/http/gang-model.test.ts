// The gang-case model in the running service: it scores communities in the recluster worker and
// its probability reaches /decide; a model that fails its checks leaves the hand-written flags
// scoring, and /ready says so.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawIdentifiers } from '../../src/identity/identifiers';
import { application } from '../support/factories';
import { startTestServer, tempDir, type TestServer } from '../support/server';

const MODELS = path.resolve(import.meta.dirname, '../../models');
const ENV = { GRAPH_RECLUSTER_EVERY: '0', GRAPH_RECLUSTER_INTERVAL_MS: '0' };

const ringMember = (k: number): RawIdentifiers => ({
  deviceId: `farm-dev-${k % 2}`,
  bankAccount: `GB29NWBK6016133192680${k % 3}`,
  nationalId: `3301051990010${String(k).padStart(5, '0')}`,
  phone: `+86 139 7777 ${String(1000 + k)}`,
  address: `${k + 1} Canal Road`,
});

async function seedRing(server: TestServer): Promise<void> {
  for (let i = 0; i < 30; i++) await server.post('/decide', application({ identifiers: { nationalId: `4401051980010${String(i).padStart(5, '0')}`, phone: `+86 138 5555 ${1000 + i}` } }));
  for (let k = 0; k < 10; k++) expect((await server.post('/decide', application({ identifiers: ringMember(k) }))).status).toBe(200);
  await server.service.graph.recluster();
}

describe('gang-case model', () => {
  it('scores communities in the worker; /decide sees the probability of the community an applicant joins', async () => {
    const server = await startTestServer({ env: ENV });
    try {
      const ready = await server.get('/ready');
      expect(ready.body.checks.gangModel).toMatchObject({ ok: true, detail: expect.stringMatching(/^gang-model@/) });
      await seedRing(server);
      expect(server.service.graph.clustering?.summary.gangModel).toBe(true);
      const next = await server.post('/decide', application({ identifiers: ringMember(11) }));
      const stored = await server.get(`/decisions/${next.body.decisionId}`);
      expect(stored.body.facts.fraud.clusterGangScore).toBeGreaterThanOrEqual(0);
      expect(stored.body.facts.fraud.clusterGangScore).toBeLessThanOrEqual(1);
    } finally {
      await server.close();
    }
  });

  it('a model whose file disagrees with its card is not served: flags only, and /ready names the cause', async () => {
    const models = tempDir('models-');
    cpSync(MODELS, models, { recursive: true });
    const onnx = path.join(models, 'gang-model.onnx');
    const bytes = readFileSync(onnx);
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] as number) ^ 0xff;
    writeFileSync(onnx, bytes);
    const server = await startTestServer({ env: { ...ENV, MODELS_DIR: models } });
    try {
      const ready = await server.get('/ready');
      expect(ready.body.status).toBe('degraded');
      expect(ready.body.checks.gangModel).toMatchObject({ ok: true, degraded: true, detail: expect.stringMatching(/SHA-256.*flags only/) });
      await seedRing(server);
      expect(server.service.graph.clustering?.summary.gangModel).toBe(false);
      const next = await server.post('/decide', application({ identifiers: ringMember(11) }));
      const stored = await server.get(`/decisions/${next.body.decisionId}`);
      expect(stored.body.facts.fraud.clusterGangScore).toBeNull();
    } finally {
      await server.close();
    }
  });

  it('without a model file, the service is ready and the hand-written flags score', async () => {
    const models = tempDir('models-');
    cpSync(MODELS, models, { recursive: true, filter: (src) => !path.basename(src).startsWith('gang-model') });
    const server = await startTestServer({ env: { ...ENV, MODELS_DIR: models } });
    try {
      const ready = await server.get('/ready');
      expect(ready.body.status).toBe('ready');
      expect(ready.body.checks.gangModel.detail).toMatch(/does not exist; the hand-written cluster flags score/);
    } finally {
      await server.close();
    }
  });
});
