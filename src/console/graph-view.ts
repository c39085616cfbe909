// A relationship network drawn with sigma.js (WebGL) over a graphology graph: applications and the
// identifiers they share, coloured by kind, labelled and declined applications marked, common
// identifiers (hubs) shown but never expanded.
//
// Interactive at once, laid out after: nodes start where a cheap layout puts them (applications on
// a circle, each identifier at the centre of its holders), sigma draws that frame, and only then
// ForceAtlas2 refines it in a web worker for a bounded time, so a 2,000-node cluster is clickable
// within a frame or two of its JSON arriving while the page never blocks on the layout.
//
// For tests and tools, the container says what it drew: data-graph-nodes / data-graph-edges (the
// rendered graph's counts), data-graph-ready="true" once the first frame is on screen with its
// handlers attached, data-interactive-ms (JSON arrived → that moment), data-labels-ms (→ the
// first frame with labels), data-graph-fraud (drawn applications marked fraud) and data-layout
// (running → done).
import Graph from 'graphology';
import FA2Layout from 'graphology-layout-forceatlas2/worker';
import Sigma from 'sigma';
import type { Label } from './types';

export type NodeKind = 'application' | 'identifier';

export interface GraphNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** What the node is called on screen: an application id, or an identifier's masked form. */
  readonly caption: string;
  /** The identifier type (identifiers only). */
  readonly type?: string;
  readonly outcome?: string;
  readonly label?: Label | null;
  /** A common identifier: shown, never expanded (a carrier IP would pull in thousands). */
  readonly hub?: boolean;
}

export interface GraphData {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly { readonly source: string; readonly target: string }[];
}

/** The legend's colours: one per kind of node, each readable against the white canvas. */
export const NODE_COLOURS = {
  application: '#1f5fbf',
  declined: '#b35900',
  fraud: '#c8102e',
  legit: '#2e7d32',
  hub: '#8a8a8a',
} as const;

const EDGE_COLOUR = '#c7ccd4';

export const IDENTIFIER_COLOURS: Readonly<Record<string, string>> = {
  nationalId: '#7b1fa2',
  phone: '#00838f',
  deviceId: '#6d4c41',
  ip: '#455a64',
  email: '#ad1457',
  address: '#827717',
  bankAccount: '#283593',
  employer: '#4e342e',
};

export function colourOf(node: GraphNode): string {
  if (node.kind === 'identifier') return node.hub ? NODE_COLOURS.hub : (IDENTIFIER_COLOURS[node.type ?? ''] ?? NODE_COLOURS.hub);
  if (node.label === 'fraud') return NODE_COLOURS.fraud;
  if (node.label === 'legit') return NODE_COLOURS.legit;
  if (node.outcome === 'decline') return NODE_COLOURS.declined;
  return NODE_COLOURS.application;
}

function sizeOf(node: GraphNode, order: number): number {
  // Smaller discs for bigger graphs, so a 2,000-node cluster is not one blot.
  const base = order > 1000 ? 2.5 : order > 200 ? 4 : 5;
  if (node.kind === 'application') return base * (node.label ? 1.6 : 1);
  return base * (node.hub ? 1.5 : 0.8);
}

interface NodeAttributes {
  x: number;
  y: number;
  size: number;
  color: string;
  label: string;
  node: GraphNode;
}

export interface GraphViewOptions {
  /** A node was clicked (or chosen from the keyboard list): e.g. expand it, or show its application. */
  readonly onActivate?: (node: GraphNode) => void;
  /** When the JSON the graph is built from arrived (performance.now()): data-interactive-ms counts from it. */
  readonly arrivedAt: number;
  /**
   * The first frame is on screen: the page may now add what the graph does not need (long tables).
   * Building those first would make sigma's first layout of the page lay them out too (a forced
   * reflow of thousands of rows took most of a 2,000-node cluster's first second).
   */
  readonly onReady?: () => void;
  /** How long ForceAtlas2 may refine the layout (ms); bounded so a big graph settles, then stops costing CPU. */
  readonly layoutMs?: number;
}

/** The cheap first layout: applications on a circle, each identifier at the centre of its holders. */
function initialPositions(graph: Graph<NodeAttributes>): void {
  const applications = graph.filterNodes((_, a) => a.node.kind === 'application');
  applications.forEach((id, i) => {
    const angle = (2 * Math.PI * i) / applications.length;
    graph.mergeNodeAttributes(id, { x: Math.cos(angle) * 100, y: Math.sin(angle) * 100 });
  });
  graph.forEachNode((id, a) => {
    if (a.node.kind !== 'identifier') return;
    let x = 0;
    let y = 0;
    let n = 0;
    graph.forEachNeighbor(id, (_, b) => {
      x += b.x;
      y += b.y;
      n++;
    });
    // A small deterministic jitter: identifiers with the same holders must not sit on one point.
    const jitter = (hashOf(id) % 1000) / 100 - 5;
    graph.mergeNodeAttributes(id, n ? { x: x / n + jitter, y: y / n - jitter } : { x: jitter * 10, y: -jitter * 10 });
  });
}

function hashOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class GraphView {
  readonly graph = new Graph<NodeAttributes>({ type: 'undirected', multi: false, allowSelfLoops: false });
  private readonly sigma: Sigma<NodeAttributes>;
  private layout: FA2Layout | undefined;
  private layoutTimer: number | undefined;
  private selected: string | undefined;
  private killed = false;

  constructor(
    private readonly container: HTMLElement,
    data: GraphData,
    private readonly options: GraphViewOptions,
  ) {
    container.dataset.graphReady = 'false';
    this.add(data);
    initialPositions(this.graph);
    this.sigma = new Sigma<NodeAttributes>(this.graph, container, {
      settings: {
        renderEdgeLabels: false,
        labelRenderedSizeThreshold: 6,
        // Edges go while the camera moves: a 2,000-node cluster pans smoothly.
        hideEdgesOnMove: this.graph.size > 2000,
        // Labels follow the first frame: sigma draws them with WebGL from a glyph atlas it builds
        // first, which took 60% of a 2,000-node cluster's first frame here.
        renderLabels: false,
        // The camera keeps fitting the whole graph (discs included) while ForceAtlas2 spreads it.
        autoRescale: true,
        autoRescaleContent: 'nodes',
        stagePadding: 24,
      },
      nodeReducer: (key, data) => (key === this.selected ? { ...data, highlighted: true, size: data.size * 1.4, zIndex: 1 } : data),
    });
    this.sigma.on('clickNode', ({ node }) => this.activate(node));
    this.sigma.on('enterNode', () => container.classList.add('graph-pointer'));
    this.sigma.on('leaveNode', () => container.classList.remove('graph-pointer'));
    this.publishCounts();
    // The constructor drew the first frame; once the browser has put it on screen, with the
    // handlers attached, an investigator can use the graph. Then the labels, then the layout
    // (started after the labelled frame, so the two do not compete for the first second).
    requestAnimationFrame(() => {
      if (this.killed) return;
      container.dataset.interactiveMs = String(Math.round(performance.now() - options.arrivedAt));
      container.dataset.graphReady = 'true';
      this.sigma.once('afterRender', () =>
        requestAnimationFrame(() => {
          if (this.killed) return;
          container.dataset.labelsMs = String(Math.round(performance.now() - options.arrivedAt));
          this.runLayout();
        }),
      );
      this.sigma.setSetting('renderLabels', true);
      if (options.onReady) window.setTimeout(options.onReady, 0);
    });
  }

  /** Adds nodes and edges not drawn yet (an expanded node's network); returns how many nodes were new. */
  merge(data: GraphData, near?: string): number {
    const before = this.graph.order;
    const origin = near && this.graph.hasNode(near) ? this.graph.getNodeAttributes(near) : { x: 0, y: 0 };
    this.add(data, origin);
    this.publishCounts();
    if (this.graph.order > before) this.runLayout();
    return this.graph.order - before;
  }

  /** A label changed: recolour the application's node. */
  markLabel(nodeId: string, label: Label | null): void {
    if (!this.graph.hasNode(nodeId)) return;
    const node = { ...this.graph.getNodeAttribute(nodeId, 'node'), label };
    this.graph.mergeNodeAttributes(nodeId, { node, color: colourOf(node), size: sizeOf(node, this.graph.order) });
    this.publishCounts();
  }

  /** Highlights a node and moves the camera to it (from the keyboard list as from a click). */
  select(nodeId: string): void {
    if (!this.graph.hasNode(nodeId)) return;
    const previous = this.selected;
    this.selected = nodeId;
    this.sigma.refresh({ partialGraph: { nodes: previous && previous !== nodeId ? [previous, nodeId] : [nodeId] } });
    const display = this.sigma.getNodeDisplayData(nodeId);
    // Centre on it; zoom in only where the whole graph is too dense to pick one node out.
    const camera = this.sigma.getCamera();
    const ratio = this.graph.order > 200 ? Math.min(camera.ratio, 0.35) : camera.ratio;
    if (display) void camera.animate({ x: display.x, y: display.y, ratio }, { duration: 300 });
  }

  nodeOf(nodeId: string): GraphNode | undefined {
    return this.graph.hasNode(nodeId) ? this.graph.getNodeAttribute(nodeId, 'node') : undefined;
  }

  kill(): void {
    this.killed = true;
    this.stopLayout();
    this.sigma.kill();
  }

  private activate(nodeId: string): void {
    const node = this.nodeOf(nodeId);
    if (!node) return;
    this.select(nodeId);
    this.options.onActivate?.(node);
  }

  private add(data: GraphData, origin = { x: 0, y: 0 }): void {
    const order = Math.max(this.graph.order, data.nodes.length);
    for (const node of data.nodes) {
      if (this.graph.hasNode(node.id)) continue;
      const spread = hashOf(node.id);
      this.graph.addNode(node.id, {
        x: origin.x + ((spread % 200) - 100) / 10,
        y: origin.y + (((spread >>> 8) % 200) - 100) / 10,
        size: sizeOf(node, order),
        color: colourOf(node),
        label: node.caption,
        node,
      });
    }
    for (const edge of data.edges) {
      if (!this.graph.hasNode(edge.source) || !this.graph.hasNode(edge.target) || this.graph.hasEdge(edge.source, edge.target)) continue;
      this.graph.addEdge(edge.source, edge.target, { size: 0.5, color: EDGE_COLOUR });
    }
  }

  private publishCounts(): void {
    this.container.dataset.graphNodes = String(this.graph.order);
    this.container.dataset.graphEdges = String(this.graph.size);
    // How many drawn applications are marked fraud: a label recorded from the page shows up here too.
    this.container.dataset.graphFraud = String(this.graph.filterNodes((_, a) => a.node.label === 'fraud').length);
  }

  private runLayout(): void {
    if (this.killed || this.graph.order < 3) {
      this.container.dataset.layout = 'done';
      return;
    }
    this.stopLayout();
    const order = this.graph.order;
    this.layout = new FA2Layout(this.graph, {
      settings: { barnesHutOptimize: order > 300, strongGravityMode: true, gravity: 0.05, scalingRatio: 10, slowDown: 1 + Math.log(order), adjustSizes: false },
    });
    this.container.dataset.layout = 'running';
    this.layout.start();
    const budget = this.options.layoutMs ?? Math.min(4000, 800 + order);
    this.layoutTimer = window.setTimeout(() => {
      this.stopLayout();
      this.container.dataset.layout = 'done';
    }, budget);
  }

  private stopLayout(): void {
    if (this.layoutTimer !== undefined) window.clearTimeout(this.layoutTimer);
    this.layoutTimer = undefined;
    this.layout?.kill();
    this.layout = undefined;
  }
}
