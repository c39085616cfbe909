// The benchmark's server process: the real service on its defaults (temp data dir), plus a bare
// JSON endpoint on the same HTTP server as the ceiling every /decide figure is compared with.
import express from 'express';
import type { AddressInfo } from 'node:net';
import { loadSettings } from '../src/config/settings';
import { createService } from '../src/main';
import { createLogger } from '../src/observability/logger';

const settings = loadSettings({ ...process.env, LOG_LEVEL: 'silent', RULES_WATCH: 'false' });
const service = await createService(settings, createLogger('silent'));
const outer = express();
// Same body parser, same JSON response, no decision: what HTTP + JSON alone cost here.
outer.post('/__bare', express.json({ limit: 64 * 1024 }), (req, res) => {
  res.json({ ok: true, applicationId: (req.body as { applicationId?: string }).applicationId });
});
outer.use(service.app);
const server = outer.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on('SIGTERM', () => {
  server.close(() => void service.close().then(() => process.exit(0)));
  server.closeAllConnections();
});
