// docker-compose.yml and deploy/haproxy.cfg: what would break silently. No docker engine runs
// here, so nothing is started; the files are read and checked against the service's settings,
// the Dockerfile and each other. There is no YAML parser among the dependencies: `blockYaml` below
// reads the block-style subset the compose file is written in, and refuses anything else (flow
// collections, anchors, multi-line scalars), so an edit outside the subset fails here loudly
// instead of being misread.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTING_DEFAULTS } from '../src/config/settings';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

type Yaml = string | null | Yaml[] | { [key: string]: Yaml };
type YamlMap = { [key: string]: Yaml };

/** Strips a comment (a `#` at the start or after a space, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) return line.slice(0, i);
  }
  return line;
}

function scalar(text: string, where: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (text.startsWith("'")) {
    if (!text.endsWith("'") || text.length < 2) throw new Error(`${where}: unterminated quoted scalar`);
    return text.slice(1, -1).replaceAll("''", "'");
  }
  if (/^[[{&*|>!%@`]/.test(text) || text.startsWith('<<')) throw new Error(`${where}: outside the YAML subset this test reads: ${text}`);
  return text;
}

/** Block maps and sequences of scalars, two-space indentation, one document. */
function blockYaml(text: string): Yaml {
  const lines = text
    .split('\n')
    .map((raw, i) => ({ number: i + 1, text: withoutComment(raw).trimEnd() }))
    .filter((l) => l.text.trim() !== '')
    .map((l) => {
      if (l.text.includes('\t')) throw new Error(`line ${l.number}: a tab`);
      const indent = l.text.length - l.text.trimStart().length;
      return { number: l.number, indent, content: l.text.trimStart() };
    });
  let at = 0;
  const block = (indent: number): Yaml => {
    const first = lines[at];
    if (!first || first.indent !== indent) throw new Error(`line ${first?.number}: expected indentation ${indent}`);
    if (first.content.startsWith('- ')) {
      const items: Yaml[] = [];
      for (let line = lines[at]; line && line.indent === indent; line = lines[at]) {
        if (!line.content.startsWith('- ')) throw new Error(`line ${line.number}: a sequence item expected`);
        const item = line.content.slice(2).trim();
        if (/^[\w.-]+:(\s|$)/.test(item)) throw new Error(`line ${line.number}: a map inside a sequence is outside the subset`);
        items.push(scalar(item, `line ${line.number}`));
        at += 1;
      }
      return items;
    }
    const map: YamlMap = {};
    for (let line = lines[at]; line && line.indent === indent; line = lines[at]) {
      const match = /^([\w.-]+):(?:\s+(.*))?$/.exec(line.content);
      if (!match) throw new Error(`line ${line.number}: "key: value" expected, got ${line.content}`);
      const [, key = '', value] = match;
      if (key in map) throw new Error(`line ${line.number}: ${key} twice`);
      at += 1;
      const next = lines[at];
      if (value !== undefined && value !== '') map[key] = scalar(value, `line ${line.number}`);
      else if (next && next.indent > indent) map[key] = block(next.indent);
      else map[key] = null;
    }
    const rest = lines[at];
    if (rest && rest.indent > indent) throw new Error(`line ${rest.number}: unexpected indentation`);
    return map;
  };
  const document = block(0);
  if (at !== lines.length) throw new Error(`line ${lines[at]?.number}: not read`);
  return document;
}

function asMap(value: Yaml | undefined, what: string): YamlMap {
  if (value === null || value === undefined || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: a map expected`);
  return value;
}
function asList(value: Yaml | undefined, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw new Error(`${what}: a list of strings expected`);
  return value as string[];
}
function asString(value: Yaml | undefined, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: a string expected`);
  return value;
}

/** Compose durations: 1m30s, 20s, 500ms. */
function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 } as const;
  return parts.reduce((sum, [, n, u]) => sum + Number(n) * unit[u as keyof typeof unit], 0);
}

/** HAProxy times: a number with an optional unit (ms by default). */
function haproxyMs(text: string): number {
  const match = /^(\d+)(us|ms|s|m|h|d)?$/.exec(text);
  if (!match) throw new Error(`not a HAProxy time: ${text}`);
  const unit = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] as number;
  return Number(match[1]) * unit;
}

const compose = asMap(blockYaml(read('docker-compose.yml')), 'docker-compose.yml');
const services = asMap(compose.services, 'services');
const namedVolumes = new Set(Object.keys(asMap(compose.volumes, 'volumes')));
const REPLICAS = ['replica-a', 'replica-b'] as const;
const replica = (name: string) => asMap(services[name], name);
const environment = (name: string) => asMap(replica(name).environment, `${name}.environment`) as Record<string, string>;
const mounts = (name: string) =>
  asList(replica(name).volumes, `${name}.volumes`).map((spec) => {
    const [source = '', target = '', mode] = spec.split(':');
    return { source, target, mode };
  });

/** The Dockerfile's runtime ENV (the last stage's), which the compose environment overrides. */
const imageEnv: Record<string, string> = (() => {
  const lastStage = read('Dockerfile').split(/^FROM /m).at(-1) ?? '';
  const env = /^ENV ((?:.*\\\n)*.*)$/m.exec(lastStage)?.[1] ?? '';
  return Object.fromEntries([...env.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1], m[2]]));
})();
/** A replica's setting as the process sees it: compose's environment, else the image's, else the service's default. */
const setting = (name: string, variable: string): string => environment(name)[variable] ?? imageEnv[variable] ?? String(SETTING_DEFAULTS[variable]);

const haproxy = read('deploy/haproxy.cfg')
  .split('\n')
  .map((l) => withoutComment(l).trim())
  .filter(Boolean);
/** The lines of one section (`backend replicas`), up to the next section. */
function section(header: string): string[] {
  const start = haproxy.indexOf(header);
  if (start < 0) throw new Error(`deploy/haproxy.cfg has no "${header}"`);
  const next = haproxy.findIndex((l, i) => i > start && /^(global|defaults|frontend|backend|listen|resolvers|peers|userlist)\b/.test(l));
  return haproxy.slice(start + 1, next < 0 ? undefined : next);
}

describe('docker-compose.yml', () => {
  it('runs postgres, two replicas and the balancer', () => {
    expect(Object.keys(services).sort()).toEqual(['lb', 'postgres', ...REPLICAS].sort());
    expect(asMap(services.postgres, 'postgres').image).toBe('postgres:16');
    expect(asMap(services.lb, 'lb').image).toMatch(/^haproxy:2\.9/);
  });

  it('sets on the replicas only variables the service reads', () => {
    const known = new Set(Object.keys(SETTING_DEFAULTS));
    for (const name of REPLICAS) {
      for (const variable of Object.keys(environment(name))) expect(known.has(variable), `${name}: ${variable} is not a setting`).toBe(true);
    }
  });

  it('gives both replicas the same environment: one identifier key, one database, production', () => {
    const [a, b] = REPLICAS.map(environment);
    expect(b).toEqual(a);
    expect(a?.IDENTIFIER_HASH_KEY).toMatch(/^\$\{IDENTIFIER_HASH_KEY:\?[^}]+\}$/);
    expect(a?.NODE_ENV).toBe('production');
    expect(a?.API_KEYS_FILE).toBeTruthy();
  });

  it('points DATABASE_URL at the postgres service, its user, password and database', () => {
    const pg = asMap(asMap(services.postgres, 'postgres').environment, 'postgres.environment') as Record<string, string>;
    for (const name of REPLICAS) {
      const url = setting(name, 'DATABASE_URL');
      expect(url).toMatch(/^postgres(ql)?:\/\//);
      const match = /^postgres(?:ql)?:\/\/([^:@/]+):(.+)@([^:/@]+):(\d+)\/([^/?]+)$/.exec(url);
      expect(match, url).not.toBeNull();
      const [, user, password, host, port, database] = match as RegExpExecArray;
      expect({ user, password, host, port, database }).toEqual({ user: pg.POSTGRES_USER, password: pg.POSTGRES_PASSWORD, host: 'postgres', port: '5432', database: pg.POSTGRES_DB });
    }
  });

  it('keeps each replica\'s data in a named volume of its own, at DATA_DIR', () => {
    const dataVolumes = REPLICAS.map((name) => {
      const dataDir = setting(name, 'DATA_DIR');
      expect(dataDir.startsWith('/'), `${name}: DATA_DIR ${dataDir} is not an absolute path in the image`).toBe(true);
      const mount = mounts(name).find((m) => m.target === dataDir);
      expect(mount, `${name}: nothing mounted at DATA_DIR ${dataDir}`).toBeDefined();
      expect(namedVolumes.has(mount?.source ?? ''), `${name}: ${mount?.source} is not a named volume`).toBe(true);
      return mount?.source;
    });
    expect(new Set(dataVolumes).size).toBe(REPLICAS.length);
  });

  it('mounts deploy/api-keys.json read-only at API_KEYS_FILE', () => {
    for (const name of REPLICAS) {
      const keysFile = setting(name, 'API_KEYS_FILE');
      const mount = mounts(name).find((m) => keysFile === m.target || keysFile.startsWith(`${m.target}/`));
      expect(mount, `${name}: nothing mounted at ${keysFile}`).toBeDefined();
      expect(mount?.mode).toBe('ro');
      const hostPath = path.posix.join(mount?.source ?? '', path.posix.relative(mount?.target ?? '', keysFile));
      expect(path.posix.normalize(hostPath)).toBe('deploy/api-keys.json');
    }
  });

  it('waits for a healthy postgres, checks /ready on PORT, and outlasts the shutdown drain', () => {
    const pg = asMap(services.postgres, 'postgres');
    expect(asList(asMap(pg.healthcheck, 'postgres.healthcheck').test, 'postgres.healthcheck.test')).toContain('pg_isready');
    for (const name of REPLICAS) {
      const service = replica(name);
      expect(service.build).toBe('.');
      expect(asMap(asMap(service.depends_on, 'depends_on').postgres, 'depends_on.postgres').condition).toBe('service_healthy');
      const probe = asList(asMap(service.healthcheck, 'healthcheck').test, 'healthcheck.test').join(' ');
      expect(probe).toContain(`http://127.0.0.1:${setting(name, 'PORT')}/ready`);
      const drainMs = Number(setting(name, 'SHUTDOWN_DELAY_MS')) + Number(setting(name, 'SHUTDOWN_GRACE_MS'));
      expect(durationMs(asString(service.stop_grace_period, 'stop_grace_period'))).toBeGreaterThan(drainMs);
    }
  });

  it('mounts deploy/haproxy.cfg where the haproxy image reads it, and publishes the port it binds', () => {
    const lb = asMap(services.lb, 'lb');
    expect(asList(lb.volumes, 'lb.volumes')).toContain('./deploy/haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    const bind = section('frontend decisions').find((l) => l.startsWith('bind '));
    const port = /:(\d+)$/.exec(bind ?? '')?.[1];
    expect(asList(lb.ports, 'lb.ports')).toContain(`8080:${port}`);
  });
});

describe('deploy/haproxy.cfg', () => {
  const backend = section('backend replicas');

  it('balances round robin over both replicas, by compose service name and PORT', () => {
    expect(backend).toContain('balance roundrobin');
    const servers = backend.filter((l) => l.startsWith('server ')).map((l) => l.split(/\s+/).slice(1, 3));
    expect(servers).toEqual(REPLICAS.map((name) => [name, `${name}:${setting(name, 'PORT')}`]));
    for (const name of REPLICAS) expect(services[name], name).toBeDefined();
  });

  it('sends traffic only to replicas whose /ready answers 200', () => {
    expect(backend).toContain('option httpchk GET /ready');
    expect(backend).toContain('http-check expect status 200');
    const checked = backend.some((l) => l.startsWith('default-server ') && /\scheck(\s|$)/.test(l));
    for (const line of backend.filter((l) => l.startsWith('server '))) expect(checked || /\scheck(\s|$)/.test(line), line).toBe(true);
  });

  it('takes a stopping replica out before its SHUTDOWN_DELAY_MS ends', () => {
    const options = (backend.find((l) => l.startsWith('default-server ')) ?? '').split(/\s+/);
    const option = (name: string, fallback: string) => (options.includes(name) ? (options[options.indexOf(name) + 1] ?? fallback) : fallback);
    // HAProxy's defaults: a check every 2 s, 3 failures.
    const inter = haproxyMs(option('inter', '2s'));
    const fall = Number(option('fall', '3'));
    for (const name of REPLICAS) expect((fall + 1) * inter, name).toBeLessThanOrEqual(Number(setting(name, 'SHUTDOWN_DELAY_MS')));
  });

  it('never retries a request a replica may have received (no retry-on)', () => {
    expect(haproxy.filter((l) => /^(http-request\s+)?retry-on\b|\bhttp-retry\b/.test(l))).toEqual([]);
  });
});
