// Investigators' endpoints over the fraud graph: suspicious clusters, one cluster's evidence,
// an application's network, and labels. Thin: parse and validate, call the graph, map the answer.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { regionsOf } from '../decision/history';
import type { ClusterSort } from '../graph/clustering';
import { CLUSTERS_TABLE, type ClusterConfig, type LinkingConfig } from '../graph/config';
import type { FraudGraph } from '../graph/fraud-graph';
import { clusterDetail, egoNetwork } from '../graph/investigation';
import { EXPORT_FORMATS, exportGraph, MEMBER_COLUMNS, membersCsv, toGexf, type ExportFormat, type NetworkView } from '../graph/network-export';
import type { RuleSet } from '../rules/ruleset';
import { FourEyesError, type ApplicationLabel, type ClearanceRequest, type GraphStore, type LabelOutcome, type LabelRecord } from '../store/graph-store';
import type { LabelRecorder } from '../store/label-record';
import { principalOf, type Operation } from './access';
import { jsonIfAny, parseJsonBody, requireJson } from './body';
import { ApiError, type ErrorDetail } from './errors';
import { errorResponse, jsonBody, nullable, ref } from './openapi-parts';
import { integer, quoted, readQuery, type Query } from './query';
import { compileValidator, freeText } from './validation';

export interface InvestigatorDeps {
  readonly graph: FraudGraph;
  readonly store: GraphStore;
  /** Where labels are recorded: the embedded store, or the replicas' shared one (src/store/label-record.ts). */
  readonly labels: LabelRecorder;
  /** On a replica that does not recluster: passes the request to the one holding the recluster lease. */
  readonly requestRecluster?: () => Promise<void>;
  readonly linking: () => LinkingConfig;
  readonly clock: () => number;
  /** Signs page cursors, so a client can only hand back positions this service issued. */
  readonly cursorKey: Buffer;
  /** The values GET /clusters filters by, from their one definition in the rules in force. */
  readonly clusterFilters: () => ClusterFilterValues;
}

/** What GET /clusters may filter by: a value outside these lists is refused, never looked for. */
export interface ClusterFilterValues {
  /** Flag codes of rules/fraud/clusters.json. */
  readonly flags: readonly string[];
  /** Regions of rules/limits/regions.json. */
  readonly regions: readonly string[];
  /** Products: the rule flows, rules/flows/<product>.json. */
  readonly products: readonly string[];
}

/** The filter values of a rule set: each list from the one place it is defined. */
export function clusterFiltersOf(ruleSet: RuleSet): ClusterFilterValues {
  const clusters = ruleSet.tables.get(CLUSTERS_TABLE) as ClusterConfig;
  return { flags: clusters.scoring.flags.map((f) => f.flag), regions: regionsOf(ruleSet).known, products: [...ruleSet.flows.keys()] };
}

export const LABEL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: {
    label: { enum: ['fraud', 'legit'], description: 'The investigator’s finding (who labels comes from the credential).' },
    note: freeText(2000),
  },
} as const;

/** POST /clusters/recluster takes no parameters: no body, or an empty JSON object. */
export const RECLUSTER_SCHEMA = { type: 'object', additionalProperties: false, properties: {} } as const;

const SORTS: readonly ClusterSort[] = ['score', 'size', 'lastSeen'];
const MAX_LIMIT = 200;
const MAX_DEPTH = 4;
const MAX_NODES = 2000;

interface Cursor {
  readonly g: number;
  readonly s: ClusterSort;
  readonly p: number;
  /** Digest of the filters the page was listed with (filterDigest): a position means nothing under others. */
  readonly f: string;
}

const FILTERS = ['suspicious', 'minSize', 'flag', 'region', 'product'] as const;

/** The filter set a cursor is bound to (values in FILTERS order), short enough to keep a cursor short whatever the values. */
function filterDigest(values: readonly (string | number | undefined)[]): string {
  return createHash('sha256')
    .update(JSON.stringify(values.map((v) => v ?? null)))
    .digest('base64url')
    .slice(0, 16);
}

/**
 * Cursors are `base64url(JSON).base64url(HMAC)`. NOTE: an unsigned cursor let a client choose the
 * position a page starts from; a forged p = -2^53 kept the event loop counting up for 15 s. Now
 * only positions this process issued are accepted, and the position is range-checked too.
 */
function encodeCursor(key: Buffer, c: Cursor): string {
  const body = Buffer.from(JSON.stringify(c)).toString('base64url');
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url').slice(0, 22)}`;
}

function decodeCursor(key: Buffer, raw: string): Cursor | undefined {
  const [body, signature, extra] = raw.split('.');
  if (!body || !signature || extra !== undefined || raw.length > 200) return undefined;
  const expected = Buffer.from(createHmac('sha256', key).update(body).digest('base64url').slice(0, 22));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Cursor;
    return Number.isSafeInteger(c.g) && Number.isSafeInteger(c.p) && c.p >= 0 && SORTS.includes(c.s) && typeof c.f === 'string' ? c : undefined;
  } catch {
    return undefined;
  }
}

const labelView = (r: LabelRecord) => ({
  labelId: r.labelId,
  applicationId: r.applicationId,
  label: r.label,
  by: r.by,
  confirmedBy: r.confirmedBy,
  note: r.note,
  labelledAt: new Date(r.labelledAt).toISOString(),
});
const clearanceView = (c: ClearanceRequest) => ({ status: 'awaiting_second_investigator', requestedBy: c.requestedBy, note: c.note, requestedAt: new Date(c.requestedAt).toISOString() });

type Guard = (operation: Operation) => express.RequestHandler;

/** A filter value from its one list; the refusal names the field and the list, never the value sent. */
function oneOf(raw: string | undefined, name: string, allowed: readonly string[], problems: ErrorDetail[]): string | undefined {
  if (raw === undefined) return undefined;
  if (allowed.includes(raw)) return raw;
  problems.push({ path: name, message: allowed.length ? `not a known ${name}; expected one of ${allowed.join(', ')}` : `no ${name} is defined in the rules in force` });
  return undefined;
}

/** json (the default) or one of the export formats. */
const FORMATS = ['json', ...EXPORT_FORMATS] as const;
function formatOf(raw: string | undefined, problems: ErrorDetail[]): ExportFormat | 'json' {
  if (raw === undefined) return 'json';
  if ((FORMATS as readonly string[]).includes(raw)) return raw as ExportFormat | 'json';
  problems.push({ path: 'format', message: `expected one of ${FORMATS.join(', ')}` });
  return 'json';
}

const EXPORT_TYPES: Readonly<Record<ExportFormat, string>> = { gexf: 'application/gexf+xml; charset=utf-8', csv: 'text/csv; charset=utf-8' };

/**
 * A download's file name: only letters, digits, dot, dash and underscore, whatever the id held
 * (ids are validated at /decide, but a header is no place to trust that), never starting with a dot.
 */
function downloadName(base: string, format: ExportFormat): string {
  const safe = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_').slice(0, 120);
  return `${safe}.${format}`;
}

/** Sends a cluster or network as a download: GEXF or the members' CSV. */
function sendExport(res: express.Response, view: NetworkView, format: ExportFormat, base: string): void {
  const body = format === 'gexf' ? toGexf(exportGraph(view)) : membersCsv(view);
  res
    .status(200)
    .set({
      'Content-Type': EXPORT_TYPES[format],
      'Content-Disposition': `attachment; filename="${downloadName(base, format)}"`,
      // Member data: no shared cache keeps a copy, and no browser guesses it is a page.
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    })
    .send(Buffer.from(body, 'utf8'));
}

export function investigatorRouter(deps: InvestigatorDeps, guard: Guard): express.Router {
  const router = express.Router();
  clusterRoutes(router, deps, guard);
  applicationRoutes(router, deps, guard);
  return router;
}

/** Clusters: the list, one cluster, and an admin's recluster. */
function clusterRoutes(router: express.Router, deps: InvestigatorDeps, guard: Guard): void {
  const validateRecluster = compileValidator<Record<string, never>>(RECLUSTER_SCHEMA);

  router.get('/clusters', guard('GET /clusters'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, [...FILTERS, 'sort', 'limit', 'cursor']);
    const suspiciousRaw = get('suspicious');
    if (suspiciousRaw !== undefined && suspiciousRaw !== 'true' && suspiciousRaw !== 'false') {
      problems.push({ path: 'suspicious', message: `expected true or false, got ${quoted(suspiciousRaw)}` });
    }
    const minSize = integer(get('minSize'), 'minSize', 1, 1_000_000_000, problems);
    const limit = integer(get('limit'), 'limit', 1, MAX_LIMIT, problems) ?? 50;
    const sort = (get('sort') ?? 'score') as ClusterSort;
    if (!SORTS.includes(sort)) problems.push({ path: 'sort', message: `expected one of ${SORTS.join(', ')}, got ${quoted(get('sort') ?? '')}` });
    const clustering = deps.graph.clustering;
    const known = deps.clusterFilters();
    // The clustering listed may predate a rules change: its own flag codes are valid filters too.
    const flags = new Set([...known.flags, ...(clustering?.config.scoring.flags.map((f) => f.flag) ?? [])]);
    const flag = oneOf(get('flag'), 'flag', [...flags], problems);
    const region = oneOf(get('region'), 'region', known.regions, problems);
    const product = oneOf(get('product'), 'product', known.products, problems);
    const filters = filterDigest([suspiciousRaw, minSize, flag, region, product]);
    const rawCursor = get('cursor');
    let after: number | undefined;
    if (rawCursor !== undefined) {
      const cursor = decodeCursor(deps.cursorKey, rawCursor);
      if (!cursor) problems.push({ path: 'cursor', message: 'not a cursor this API issued' });
      else if (cursor.s !== sort) problems.push({ path: 'cursor', message: `issued for sort=${cursor.s}; keep the same sort while paging` });
      else if (cursor.f !== filters) problems.push({ path: 'cursor', message: `issued for other filters; keep the same ${FILTERS.join(', ')} while paging` });
      else if (!clustering || cursor.g !== clustering.generation || cursor.p >= clustering.count) {
        problems.push({ path: 'cursor', message: 'the clusters were recomputed since this cursor was issued; start again without a cursor' });
      } else after = cursor.p;
    }
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    const status = deps.graph.status();
    if (!clustering) {
      res.json({ clusters: [], nextCursor: null, clustering: null, nextRecluster: status.nextRecluster });
      return;
    }
    const page = clustering.list({
      sort,
      limit,
      ...(suspiciousRaw !== undefined ? { suspicious: suspiciousRaw === 'true' } : {}),
      ...(minSize !== undefined ? { minSize } : {}),
      ...(flag !== undefined ? { flag } : {}),
      ...(region !== undefined ? { region } : {}),
      ...(product !== undefined ? { product } : {}),
      ...(after !== undefined ? { after } : {}),
    });
    res.json({
      clusters: page.clusters,
      nextCursor: page.next === undefined ? null : encodeCursor(deps.cursorKey, { g: clustering.generation, s: sort, p: page.next, f: filters }),
      clustering: status.clustering,
      nextRecluster: status.nextRecluster,
    });
  });

  router.get('/clusters/:clusterId', guard('GET /clusters/{clusterId}'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, ['format']);
    const format = formatOf(get('format'), problems);
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    const clustering = deps.graph.clustering;
    const cluster = clustering ? clustering.find(req.params.clusterId as string) : -1;
    if (!clustering) {
      throw new ApiError('CLUSTER_NOT_FOUND', [{ path: 'clusterId', message: `no cluster ${quoted(req.params.clusterId as string)}: ${deps.graph.status().nextRecluster.reason}` }]);
    }
    if (cluster < 0) {
      throw new ApiError('CLUSTER_NOT_FOUND', [{ path: 'clusterId', message: `no cluster ${quoted(req.params.clusterId as string)} in the current clustering (ids come from GET /clusters)` }]);
    }
    const detail = clusterDetail(deps.graph.identity, clustering, cluster, clustering.config.linking);
    if (format === 'json') res.json(detail);
    else sendExport(res, detail, format, `cluster-${detail.id}`);
  });

  // Starts a recluster, or joins the one running: 202 at once with the generation it will produce
  // (GET /clusters shows it when clustering.generation reaches it). Never queues a further run, so
  // repeated requests cost at most the one recluster.
  router.post('/clusters/recluster', guard('POST /clusters/recluster'), jsonIfAny, parseJsonBody(1024), async (req, res) => {
    validateRecluster(req.body ?? {});
    const ticket = deps.graph.reclusterNow();
    if (!ticket && !deps.graph.reclustersHere && deps.requestRecluster) {
      await deps.requestRecluster();
      const status = deps.graph.status();
      res
        .status(202)
        .location('/clusters')
        .json({ state: 'requested', generation: (status.clustering?.generation ?? 0) + 1, startedAt: new Date(deps.clock()).toISOString(), applications: status.applications, clustering: status.clustering });
      return;
    }
    if (!ticket) {
      const why = deps.graph.reclustersHere
        ? 'shutting down: no further reclusters'
        : 'another replica holds the recluster lease and computes the clusterings; ask it (its clustering reaches this replica when done)';
      throw new ApiError('SERVICE_UNAVAILABLE', [{ path: '(service)', message: why }]);
    }
    res
      .status(202)
      .location('/clusters')
      .json({
        state: ticket.state,
        generation: ticket.generation,
        startedAt: new Date(ticket.startedAt).toISOString(),
        applications: ticket.applications,
        clustering: deps.graph.status().clustering,
      });
  });

}

/** An application's relationship network, and its labels. */
function applicationRoutes(router: express.Router, deps: InvestigatorDeps, guard: Guard): void {
  const validateLabel = compileValidator<{ label: ApplicationLabel; note?: string }>(LABEL_SCHEMA);
  const applicationIndex = (applicationId: string): number => {
    const index = deps.graph.identity.indexOf(applicationId);
    if (index === undefined) throw new ApiError('APPLICATION_NOT_FOUND', [{ path: 'applicationId', message: `no decided application ${quoted(applicationId)}` }]);
    return index;
  };

  router.get('/applications/:applicationId/network', guard('GET /applications/{applicationId}/network'), (req, res) => {
    const { get, problems } = readQuery(req.query as Query, ['depth', 'maxNodes', 'format']);
    const depth = integer(get('depth'), 'depth', 1, MAX_DEPTH, problems) ?? 2;
    const maxNodes = integer(get('maxNodes'), 'maxNodes', 1, MAX_NODES, problems) ?? 500;
    const format = formatOf(get('format'), problems);
    if (problems.length) throw new ApiError('INVALID_PARAMETER', problems);
    const index = applicationIndex(req.params.applicationId as string);
    const graph = deps.graph;
    const network = egoNetwork(graph.identity, index, {
      depth,
      maxNodes,
      linking: deps.linking(),
      clusterIdOf: (a) => {
        const c = graph.clusterOf(a);
        return c >= 0 && graph.clustering ? graph.clustering.idOf(c) : null;
      },
    });
    if (format === 'json') res.json(network);
    else sendExport(res, network, format, `network-${network.applicationId}`);
  });

  router.post('/applications/:applicationId/labels', guard('POST /applications/{applicationId}/labels'), requireJson, parseJsonBody(16 * 1024), async (req, res) => {
    const body = validateLabel(req.body);
    const applicationId = req.params.applicationId as string;
    applicationIndex(applicationId);
    let outcome: LabelOutcome;
    try {
      outcome = await deps.labels.record({ applicationId, label: body.label, by: principalOf(res).id, ...(body.note !== undefined ? { note: body.note } : {}), at: deps.clock() });
    } catch (err) {
      if (err instanceof FourEyesError) throw new ApiError('FOUR_EYES_REQUIRED', [{ path: 'label', message: err.message }]);
      throw err;
    }
    if (outcome.kind === 'clearance_requested') {
      res.status(202).json({ applicationId, label: 'fraud', clearance: clearanceView(outcome.request) });
      return;
    }
    deps.graph.label(applicationId, outcome.record.label);
    res.status(201).json(labelView(outcome.record));
  });

  router.get('/applications/:applicationId/labels', guard('GET /applications/{applicationId}/labels'), (req, res) => {
    const applicationId = req.params.applicationId as string;
    applicationIndex(applicationId);
    const history = deps.store.labelHistory(applicationId).map(labelView);
    const pending = deps.store.pendingClearance(applicationId);
    res.json({ applicationId, label: history.at(-1)?.label ?? null, clearance: pending ? clearanceView(pending) : null, history });
  });
}

const edge = { type: 'object', required: ['source', 'target'], properties: { source: { type: 'string' }, target: { type: 'string' } } };
const applicationSummary = {
  type: 'object',
  required: ['applicationId', 'outcome', 'label', 'decidedAt'],
  properties: {
    applicationId: { type: 'string' },
    outcome: { type: 'string', description: 'The automatic outcome.' },
    label: { enum: ['fraud', 'legit', null] },
    decidedAt: { type: 'string', format: 'date-time' },
    region: { ...nullable('string'), description: 'The region it applied in (null where unknown).' },
    product: { ...nullable('string'), description: 'The product it applied for (null where unknown).' },
  },
};
const clusterFields = {
  id: { type: 'string', description: 'cl_ + the application id of the earliest member: stable while that member stays in the cluster.' },
  size: { type: 'integer' },
  score: { type: 'number', minimum: 0, maximum: 100 },
  suspicious: { type: 'boolean' },
  firstSeen: { type: 'string', format: 'date-time' },
  lastSeen: { type: 'string', format: 'date-time' },
};
const clusteringStatus = {
  type: 'object',
  required: ['generation', 'at', 'applications', 'clusters', 'suspicious', 'durationMs'],
  properties: {
    generation: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    applications: { type: 'integer', description: 'Applications in the snapshot it clustered.' },
    clusters: { type: 'integer' },
    suspicious: { type: 'integer' },
    durationMs: { type: 'number' },
  },
};
const runningRecluster = {
  type: 'object',
  required: ['generation', 'startedAt', 'applications'],
  properties: {
    generation: { type: 'integer', description: 'The generation it produces when it succeeds.' },
    startedAt: { type: 'string', format: 'date-time' },
    applications: { type: 'integer', description: 'Applications in the snapshot it clusters.' },
  },
};
const query = (name: string, schema: object, description: string) => ({ name, in: 'query', required: false, schema, description });
const formatParameter = query(
  'format',
  { enum: [...FORMATS], default: 'json' },
  'json (the default); gexf: the network as GEXF 1.3 (Gephi and graphology read it; identifiers masked, keyed <type>:<n>, never by hash); csv: one row per member application (RFC 4180, formula-safe). GraphML is not offered: the graphology-graphml installed has no writer.',
);
/** A 200 that is JSON by default, or a download in the format asked for. */
const exportable = (schema: string, description: string) => ({
  description: `${description} With format=gexf or format=csv: a download (Content-Disposition: attachment; filename="<cluster-id or network-applicationId>.<format>").`,
  headers: { 'Content-Disposition': { schema: { type: 'string' }, description: 'Exports only: attachment; filename="…" (letters, digits, . _ - only).' } },
  content: {
    ...jsonBody(schema).content,
    'application/gexf+xml': { schema: { type: 'string', description: 'GEXF 1.3: application and identifier nodes (kind, identifierType, masked, outcome, investigatorLabel, clusterId, hub, …), application–identifier edges.' } },
    'text/csv': {
      schema: {
        type: 'string',
        description: `Header ${MEMBER_COLUMNS.join(',')}; one row per member application; a cell starting with = + - @ tab or CR gets a leading apostrophe.`,
      },
    },
  },
});
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

/** The investigator API's part of the OpenAPI document (merged by src/http/openapi.ts). */
export const INVESTIGATOR_OPENAPI = {
  schemas: {
    FraudSummary: {
      type: 'object',
      description: 'The community the application links into (fraud graph): its id, whether it is a suspicious cluster, its score and flag codes.',
      required: ['clusterId', 'suspicious', 'score', 'flags'],
      properties: { clusterId: nullable('string'), suspicious: { type: 'boolean' }, score: { type: 'number' }, flags: { type: 'array', items: { type: 'string' } } },
    },
    ClusterFlag: {
      type: 'object',
      required: ['flag', 'metric', 'value', 'points', 'why'],
      properties: {
        flag: { type: 'string' },
        metric: { type: 'string' },
        value: { type: 'number' },
        atLeast: { type: 'number' },
        atMost: { type: 'number' },
        points: { type: 'number' },
        why: { type: 'string', description: 'The measured value against its threshold (rules/fraud/clusters.json).' },
        description: { type: 'string' },
        evidence: { type: 'object', description: 'GET /clusters/{clusterId} only: the members, identifiers or counts behind the flag.' },
      },
    },
    ClusterSummary: { type: 'object', required: Object.keys(clusterFields).concat('flags'), properties: { ...clusterFields, flags: { type: 'array', items: ref('ClusterFlag') } } },
    ClusterList: {
      type: 'object',
      required: ['clusters', 'nextCursor', 'clustering'],
      properties: {
        clusters: { type: 'array', items: ref('ClusterSummary') },
        nextCursor: { ...nullable('string'), description: 'Pass as cursor for the next page; null on the last.' },
        clustering: { oneOf: [{ type: 'null' }, clusteringStatus], description: 'The clustering listed; null before the first recluster.' },
        nextRecluster: ref('NextRecluster'),
      },
    },
    NextRecluster: {
      type: 'object',
      description:
        'When the next recluster is due and why (also why the list is empty before the first). Until the first clustering the schedule is short: after min(20, GRAPH_RECLUSTER_EVERY) applications or min(5 s, GRAPH_RECLUSTER_INTERVAL_MS) after the first application, whichever comes first; then every GRAPH_RECLUSTER_EVERY new applications and at the latest GRAPH_RECLUSTER_INTERVAL_MS after the last one.',
      required: ['running', 'dueAt', 'afterApplications', 'reason'],
      properties: {
        running: { oneOf: [{ type: 'null' }, runningRecluster], description: 'The recluster in progress, if any (then dueAt and afterApplications are null).' },
        dueAt: { ...nullable('string'), format: 'date-time', description: 'When the timer starts the next one; null if no timer is set.' },
        afterApplications: { ...nullable('integer'), minimum: 1, description: 'This many more new applications start the next one; null if the count does not.' },
        reason: { type: 'string', description: 'The same in words, e.g. "no clustering yet: the first recluster runs after 20 applications or 5 s after the first application, whichever comes first".' },
      },
    },
    ReclusterRequest: { ...RECLUSTER_SCHEMA, description: 'No parameters: send no body, or {}.' },
    ReclusterStarted: {
      type: 'object',
      required: ['state', 'generation', 'startedAt', 'applications', 'clustering'],
      properties: {
        state: {
          enum: ['started', 'joined', 'requested'],
          description:
            'started: this request started a recluster; joined: one was already running and this request waits for it (no further run is queued); requested: this replica does not recluster, and passed the request to the replica holding the recluster lease.',
        },
        generation: { type: 'integer', description: 'The generation the recluster produces (for requested: the earliest it can be); GET /clusters lists it once clustering.generation reaches this.' },
        startedAt: { type: 'string', format: 'date-time' },
        applications: { type: 'integer', description: 'Applications in the snapshot it clusters.' },
        clustering: { oneOf: [{ type: 'null' }, clusteringStatus], description: 'The clustering in force until it ends.' },
      },
    },
    ClusterDetail: {
      type: 'object',
      required: [...Object.keys(clusterFields), 'flags', 'density', 'members', 'membersTruncated', 'sharedIdentifiers', 'edges', 'clustering'],
      properties: {
        ...clusterFields,
        density: { type: 'number', description: 'Share of member pairs sharing a linking identifier.' },
        flags: { type: 'array', items: ref('ClusterFlag') },
        members: { type: 'array', items: applicationSummary },
        membersTruncated: { type: 'boolean' },
        sharedIdentifiers: {
          type: 'object',
          description: 'By identifier type: identifiers two or more members carry (keyed hash and masked display form; never the raw value).',
          additionalProperties: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'type', 'hash', 'masked', 'members', 'applications', 'linking'],
              properties: {
                id: { type: 'string' },
                type: { type: 'string' },
                hash: { type: 'string' },
                masked: { type: 'string' },
                members: { type: 'integer' },
                applications: { type: 'integer' },
                linking: { type: 'boolean', description: 'False for a common identifier (above maxShare): it links nobody.' },
              },
            },
          },
        },
        edges: { type: 'array', items: edge, description: 'Member (app:<applicationId>) to shared identifier (<type>:<hash>).' },
        clustering: { type: 'object', required: ['generation', 'at'], properties: { generation: { type: 'integer' }, at: { type: 'string', format: 'date-time' } } },
      },
    },
    Network: {
      type: 'object',
      required: ['applicationId', 'depth', 'nodes', 'edges', 'truncated'],
      properties: {
        applicationId: { type: 'string' },
        depth: { type: 'integer' },
        nodes: {
          type: 'array',
          items: {
            oneOf: [
              {
                type: 'object',
                required: ['id', 'kind', 'applicationId', 'outcome', 'label', 'decidedAt', 'clusterId', 'hops'],
                properties: { ...applicationSummary.properties, id: { type: 'string' }, kind: { const: 'application' }, clusterId: nullable('string'), hops: { type: 'integer' } },
              },
              {
                type: 'object',
                required: ['id', 'kind', 'type', 'hash', 'masked', 'applications', 'common', 'hops'],
                properties: {
                  id: { type: 'string' },
                  kind: { const: 'identifier' },
                  type: { type: 'string' },
                  hash: { type: 'string' },
                  masked: { type: 'string' },
                  applications: { type: 'integer' },
                  common: { type: 'boolean', description: 'Above its type’s maxShare: shown, not expanded.' },
                  hops: { type: 'integer' },
                },
              },
            ],
          },
        },
        edges: { type: 'array', items: edge },
        truncated: { type: 'boolean', description: 'maxNodes was reached.' },
      },
    },
    LabelRequest: LABEL_SCHEMA,
    Label: {
      type: 'object',
      required: ['labelId', 'applicationId', 'label', 'by', 'confirmedBy', 'note', 'labelledAt'],
      properties: {
        labelId: { type: 'integer' },
        applicationId: { type: 'string' },
        label: { enum: ['fraud', 'legit'] },
        by: { type: 'string', description: 'The authenticated investigator (key:<id> or user:<sub>); for a cleared fraud label, who requested the clearance.' },
        confirmedBy: { ...nullable('string'), description: 'For a cleared fraud label: the second investigator who confirmed it.' },
        note: nullable('string'),
        labelledAt: { type: 'string', format: 'date-time' },
      },
    },
    LabelHistory: {
      type: 'object',
      required: ['applicationId', 'label', 'clearance', 'history'],
      properties: {
        applicationId: { type: 'string' },
        label: { enum: ['fraud', 'legit', null] },
        clearance: { oneOf: [{ type: 'null' }, ref('Clearance')] },
        history: { type: 'array', items: ref('Label') },
      },
    },
    Clearance: {
      type: 'object',
      required: ['status', 'requestedBy', 'note', 'requestedAt'],
      properties: { status: { const: 'awaiting_second_investigator' }, requestedBy: { type: 'string' }, note: nullable('string'), requestedAt: { type: 'string', format: 'date-time' } },
    },
    ClearanceRequested: {
      type: 'object',
      required: ['applicationId', 'label', 'clearance'],
      properties: { applicationId: { type: 'string' }, label: { const: 'fraud', description: 'The label still in force.' }, clearance: ref('Clearance') },
    },
  },
  paths: {
    '/clusters': {
      get: {
        summary: 'Communities of the fraud graph, highest score first (paginated)',
        parameters: [
          query('suspicious', { enum: ['true', 'false'] }, 'Only suspicious (true) or only other (false) clusters.'),
          query('minSize', { type: 'integer', minimum: 1 }, 'At least this many applications.'),
          query('flag', { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$' }, 'Only clusters raising this flag: a flag code of rules/fraud/clusters.json (another value is a 400).'),
          query('region', { type: 'string' }, 'Only clusters with a member that applied in this region: a region of rules/limits/regions.json (another value is a 400).'),
          query('product', { type: 'string' }, 'Only clusters with a member that applied for this product: a rule flow of rules/flows (another value is a 400).'),
          query('sort', { enum: SORTS, default: 'score' }, 'Highest first.'),
          query('limit', { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50 }, 'Page size.'),
          query('cursor', { type: 'string' }, 'nextCursor of the previous page (valid until the next recluster, with the same sort and filters).'),
        ],
        responses: { 200: { description: 'One page of clusters.', ...jsonBody('ClusterList') }, 400: errorResponse('A parameter is invalid (details name it).') },
      },
    },
    '/clusters/recluster': {
      post: {
        summary: 'Recluster the fraud graph now (or join the recluster already running)',
        description:
          'Answers 202 at once: a recluster takes seconds at a million applications. Poll GET /clusters until clustering.generation reaches the generation given. A request while one runs joins it and queues nothing, so repeated requests cost at most one recluster.',
        requestBody: { required: false, ...jsonBody('ReclusterRequest') },
        responses: {
          202: { description: 'Started, or joined the one running.', headers: { Location: { schema: { type: 'string' }, description: '/clusters' } }, ...jsonBody('ReclusterStarted') },
          400: errorResponse('A body other than {} (no parameters are taken).'),
          413: errorResponse('A body over 1 KB.'),
          415: errorResponse('A body that is not application/json.'),
          503: errorResponse('The service is shutting down.'),
        },
      },
    },
    '/clusters/{clusterId}': {
      get: {
        summary: "A cluster's members, shared identifiers, edges, density and the evidence behind its flags",
        parameters: [pathParam('clusterId'), formatParameter],
        responses: { 200: exportable('ClusterDetail', 'The cluster.'), 400: errorResponse('A parameter is invalid (details name it).'), 404: errorResponse('No such cluster in the current clustering (before the first clustering, the details say when it is due).') },
      },
    },
    '/applications/{applicationId}/network': {
      get: {
        summary: "An application's ego network: nodes and edges within depth hops (application → identifier → application …)",
        parameters: [
          pathParam('applicationId'),
          query('depth', { type: 'integer', minimum: 1, maximum: MAX_DEPTH, default: 2 }, 'Hops from the application.'),
          query('maxNodes', { type: 'integer', minimum: 1, maximum: MAX_NODES, default: 500 }, 'At most this many nodes.'),
          formatParameter,
        ],
        responses: {
          200: exportable('Network', 'The network.'),
          400: errorResponse('A parameter is invalid (details name it).'),
          404: errorResponse('No decided application has this id.'),
        },
      },
    },
    '/applications/{applicationId}/labels': {
      post: {
        summary: "Record an investigator's finding (audited; used by cluster flags and later decisions' fraud facts)",
        parameters: [pathParam('applicationId')],
        requestBody: { required: true, ...jsonBody('LabelRequest') },
        responses: {
          201: { description: 'The label, committed (for a clearance: the second investigator confirmed it).', ...jsonBody('Label') },
          202: { description: 'A fraud label clearance, recorded and waiting for a second investigator; the fraud label stays in force.', ...jsonBody('ClearanceRequested') },
          400: errorResponse('Malformed JSON or a body that does not match the schema.'),
          404: errorResponse('No decided application has this id.'),
          409: errorResponse('FOUR_EYES_REQUIRED: the investigator who requested the clearance cannot confirm it.'),
          415: errorResponse('Body is not application/json.'),
        },
      },
      get: {
        summary: "An application's labels, oldest first, and the one in force",
        parameters: [pathParam('applicationId')],
        responses: { 200: { description: 'The label history.', ...jsonBody('LabelHistory') }, 404: errorResponse('No decided application has this id.') },
      },
    },
  },
};
