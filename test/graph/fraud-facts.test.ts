// The fraud stage's graph facts, computed for an application before it joins the graph.
import { describe, expect, it, vi } from 'vitest';
import { Clustering } from '../../src/graph/clustering';
import { fraudFacts } from '../../src/graph/fraud-facts';
import type { IdentityGraph } from '../../src/graph/identity-graph';
import { recluster } from '../../src/graph/recluster';
import { app, background, CONFIG, DAY, deviceFarm, graphOf, household } from './fixtures';

function setup() {
  const farm = deviceFarm(10, 'ring', { start: 20 * DAY });
  const home = household(4, 'home');
  const graph = graphOf(background(60, 1), home, farm);
  const clustering = new Clustering(recluster(graph.snapshot(), CONFIG), CONFIG, graph, 1, 0);
  const factsFor = (identifiers: Record<string, string>, g: IdentityGraph = graph) =>
    fraudFacts({ graph: g, clustering, clusterOf: (a) => clustering.clusterOf(a), linking: CONFIG.linking, identifiers });
  return { graph, clustering, farm, home, factsFor };
}

describe('fraudFacts', () => {
  it('counts earlier applications per identifier, whether or not the identifier links', () => {
    const { factsFor } = setup();
    const facts = factsFor({ deviceId: 'ring-dev-0', ip: 'carrier-0', employer: 'big-employer-1', email: 'brand-new' });
    expect(facts.identifierReuse.deviceId).toBe(5);
    expect(facts.identifierReuse.ip).toBeGreaterThan(20);
    expect(facts.identifierReuse.employer).toBeGreaterThan(10);
    expect(facts.identifierReuse.email).toBe(0);
    expect(facts.identifierReuse.phone).toBe(0);
  });

  it('an applicant on a ring’s device and mule account joins the ring’s suspicious cluster at once', () => {
    const { factsFor, clustering, graph, farm } = setup();
    const facts = factsFor({ deviceId: 'ring-dev-1', bankAccount: 'ring-mule-2', nationalId: 'fresh' });
    const ring = clustering.clusterOf(graph.indexOf(farm[0]!.applicationId) as number);
    expect(facts).toMatchObject({ clusterId: clustering.idOf(ring), clusterSuspicious: true, clusterSize: 10, linkedApplications: 7 });
    expect(facts.clusterScore).toBeGreaterThanOrEqual(CONFIG.scoring.suspiciousScore);
    expect(facts.clusterFlags).toContain('SHARED_DEVICES');
  });

  it('sharing only hubs (carrier IP, big employer) joins no cluster and links to nobody', () => {
    const { factsFor } = setup();
    expect(factsFor({ ip: 'carrier-0', employer: 'big-employer-0' })).toMatchObject({ clusterId: null, clusterSuspicious: false, linkedApplications: 0, sharedWithLabelledFraud: false });
  });

  it('joins the community it ties into most strongly: a new member of a household joins the household', () => {
    const { factsFor, home } = setup();
    expect(factsFor({ address: 'home-home', phone: 'home-landline' })).toMatchObject({ clusterId: `cl_${home[0]!.applicationId}`, clusterSuspicious: false });
  });

  it('finds a labelled fraudster one or two strong ties away, but not through a common identifier', () => {
    const { factsFor, graph, farm } = setup();
    const fraudster = graph.indexOf(farm[0]!.applicationId) as number;
    expect(factsFor({ deviceId: 'ring-dev-0' }).sharedWithLabelledFraud).toBe(false);
    graph.setLabel(fraudster, 'fraud');
    expect(factsFor({ deviceId: 'ring-dev-0' })).toMatchObject({ sharedWithLabelledFraud: true, labelledFraudHops: 1 });
    // ring-dev-1 is not the fraudster's device, but its users share mule accounts with the fraudster.
    expect(factsFor({ deviceId: 'ring-dev-1' })).toMatchObject({ sharedWithLabelledFraud: true, labelledFraudHops: 2 });
    expect(factsFor({ ip: 'carrier-0' })).toMatchObject({ sharedWithLabelledFraud: false, labelledFraudHops: 0 });
    graph.setLabel(fraudster, 'legit');
    expect(factsFor({ deviceId: 'ring-dev-0' }).sharedWithLabelledFraud).toBe(false);
  });

  it('walks O(degree): a hub carried by thousands is counted, never walked (timing: bench/fraud-facts.ts)', () => {
    const crowd = Array.from({ length: 3000 }, (_, i) => app({ ip: 'cgnat', nationalId: `n${i}` }));
    const { factsFor } = setup();
    const graph = graphOf(crowd);
    const walked: number[] = [];
    const forEachApplicationOn = graph.forEachApplicationOn.bind(graph);
    vi.spyOn(graph, 'forEachApplicationOn').mockImplementation((identifier, callback) => forEachApplicationOn(identifier, (b) => (walked.push(b), callback(b))));
    const forEachIdentifierOf = vi.spyOn(graph, 'forEachIdentifierOf');
    const facts = factsFor({ ip: 'cgnat' }, graph);
    expect(facts.identifierReuse.ip).toBe(3000);
    expect(facts).toMatchObject({ clusterId: null, linkedApplications: 0 });
    expect(walked).toEqual([]);
    expect(forEachIdentifierOf).not.toHaveBeenCalled();
    // A linking identifier is walked, one visit per carrier: the cost follows the degree.
    factsFor({ ip: 'cgnat', nationalId: 'n7' }, graph);
    expect(walked).toEqual([graph.indexOf(crowd[7]!.applicationId)]);
  });
});
