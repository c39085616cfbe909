// Hash routes: the page is one document, and each view has an address an investigator can bookmark
// or paste into a case note (#/clusters/cl_A-1, #/applications/A-1/network?depth=2, …).

export type Route =
  | { readonly page: 'signin' }
  | { readonly page: 'clusters'; readonly query: URLSearchParams }
  | { readonly page: 'cluster'; readonly clusterId: string }
  | { readonly page: 'network'; readonly applicationId: string; readonly depth: number }
  | { readonly page: 'review'; readonly query: URLSearchParams }
  | { readonly page: 'decision'; readonly decisionId: string }
  | { readonly page: 'not-found'; readonly hash: string };

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '') || '/clusters';
  const [pathPart = '', queryPart = ''] = raw.split('?', 2);
  const query = new URLSearchParams(queryPart);
  let segments: string[];
  try {
    segments = pathPart.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: 'not-found', hash };
  }
  const [first, second, third] = segments;
  if (first === 'signin' && segments.length === 1) return { page: 'signin' };
  if (first === 'clusters' && segments.length === 1) return { page: 'clusters', query };
  if (first === 'clusters' && second !== undefined && segments.length === 2) return { page: 'cluster', clusterId: second };
  if (first === 'applications' && second !== undefined && third === 'network' && segments.length === 3) {
    const depth = Number(query.get('depth') ?? '2');
    return { page: 'network', applicationId: second, depth: Number.isInteger(depth) && depth >= 1 && depth <= 3 ? depth : 2 };
  }
  if (first === 'review' && segments.length === 1) return { page: 'review', query };
  if (first === 'decisions' && second !== undefined && segments.length === 2) return { page: 'decision', decisionId: second };
  return { page: 'not-found', hash };
}

export const href = {
  clusters: (query?: URLSearchParams) => `#/clusters${query && [...query].length ? `?${query}` : ''}`,
  cluster: (clusterId: string) => `#/clusters/${encodeURIComponent(clusterId)}`,
  network: (applicationId: string, depth = 2) => `#/applications/${encodeURIComponent(applicationId)}/network?depth=${depth}`,
  review: (query?: URLSearchParams) => `#/review${query && [...query].length ? `?${query}` : ''}`,
  decision: (decisionId: string) => `#/decisions/${encodeURIComponent(decisionId)}`,
  signin: () => '#/signin',
};
