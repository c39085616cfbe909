// The suspicious clusters: sortable by score, size or last seen, filtered by flag, region and
// product, paged with the API's cursor (each page is an address, so Back returns to the last).
import { ApiFailure, apiGet } from '../api';
import { dateTime, fill, h, hidden, status } from '../dom';
import { href } from '../router';
import type { ClusterList, ClusterSummary } from '../types';
import { failure, heading } from './common';

const SORTS = [
  { value: 'score', text: 'Score' },
  { value: 'size', text: 'Size' },
  { value: 'lastSeen', text: 'Last seen' },
] as const;
const FILTERS = [
  { name: 'flag', text: 'Flag', hint: 'e.g. SHARED_DEVICES' },
  { name: 'region', text: 'Region', hint: 'e.g. east' },
  { name: 'product', text: 'Product', hint: 'e.g. personal_loan' },
] as const;
const PAGE_SIZE = 25;

export async function clustersPage(main: HTMLElement, query: URLSearchParams): Promise<void> {
  const sort = SORTS.some((s) => s.value === query.get('sort')) ? (query.get('sort') as string) : 'score';
  const all = query.get('all') === 'true';
  const results = h('div', { id: 'cluster-results' }, status('Loading clusters…'));
  fill(main, heading(all ? 'Clusters' : 'Suspicious clusters'), filterForm(query, sort, all), results);

  const filters = FILTERS.flatMap((f) => (query.get(f.name) ? [[f.name, query.get(f.name) as string] as const] : []));
  const ask = (withFilters: boolean) => {
    const params = new URLSearchParams({ sort, limit: String(PAGE_SIZE) });
    if (!all) params.set('suspicious', 'true');
    const cursor = query.get('cursor');
    if (cursor) params.set('cursor', cursor);
    if (withFilters) for (const [name, value] of filters) params.set(name, value);
    return apiGet<ClusterList>(`/clusters?${params}`);
  };

  let list: ClusterList;
  let notice: HTMLElement | undefined;
  try {
    list = await ask(true);
  } catch (err) {
    // A service without these filters (an older version) refuses them by name: list without them, and say so.
    const unknown = err instanceof ApiFailure && err.status === 400 ? err.details.filter((d) => filters.some(([name]) => name === d.path) && /unknown query parameter/.test(d.message)) : [];
    if (unknown.length === 0) {
      fill(results, failure(err, 'investigator or admin'));
      return;
    }
    notice = status(`This service does not filter by ${unknown.map((d) => d.path).join(', ')}: showing the clusters unfiltered.`, 'error');
    try {
      list = await ask(false);
    } catch (again) {
      fill(results, failure(again, 'investigator or admin'));
      return;
    }
  }
  // The flags of the clusters listed are offered as suggestions in the flag filter.
  const suggestions = document.getElementById('flag-suggestions');
  if (suggestions) fill(suggestions, [...new Set(list.clusters.flatMap((c) => c.flags.map((f) => f.flag)))].sort().map((flag) => h('option', { value: flag })));
  fill(results, notice, summaryLine(list), list.clusters.length ? clusterTable(list.clusters, query, sort) : status(list.nextRecluster?.reason ?? 'No clusters match.'), pager(query, list.nextCursor));
}

function summaryLine(list: ClusterList): HTMLElement | undefined {
  const c = list.clustering;
  if (!c) return undefined;
  return h('p', { className: 'muted' }, `Clustering ${c.generation} of ${dateTime(c.at)}: ${c.applications} applications, ${c.clusters} communities, ${c.suspicious} suspicious.`);
}

function filterForm(query: URLSearchParams, sort: string, all: boolean): HTMLElement {
  const form = h(
    'form',
    { className: 'filters', role: 'search', 'aria-label': 'Filter clusters' },
    FILTERS.map((f) =>
      h(
        'div',
        { className: 'field' },
        h('label', { for: `filter-${f.name}` }, f.text),
        h('input', { id: `filter-${f.name}`, name: f.name, value: query.get(f.name) ?? '', placeholder: f.hint, autocomplete: 'off', list: f.name === 'flag' ? 'flag-suggestions' : null }),
      ),
    ),
    h('datalist', { id: 'flag-suggestions' }),
    h('div', { className: 'field' }, h('label', { className: 'choice' }, h('input', { type: 'checkbox', name: 'all', value: 'true', checked: all }), ' Include clusters not flagged suspicious')),
    h('div', { className: 'field' }, h('button', { type: 'submit' }, 'Apply filters')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const next = new URLSearchParams({ sort });
    for (const f of FILTERS) {
      const value = String(data.get(f.name) ?? '').trim();
      if (value) next.set(f.name, value);
    }
    if (data.get('all')) next.set('all', 'true');
    location.hash = href.clusters(next);
  });
  return form;
}

function clusterTable(clusters: readonly ClusterSummary[], query: URLSearchParams, sort: string): HTMLElement {
  // The API sorts highest first by one key; a column header switches the key (and starts at page one).
  const sortHeader = (value: string, text: string) => {
    const next = new URLSearchParams(query);
    next.delete('cursor');
    next.set('sort', value);
    return h(
      'th',
      { scope: 'col', 'aria-sort': value === sort ? 'descending' : null },
      h('a', { href: href.clusters(next), className: 'sort-link' }, text, value === sort ? [h('span', { 'aria-hidden': 'true' }, ' ▼'), hidden(' (sorted, highest first)')] : hidden(' (sort by this, highest first)')),
    );
  };
  const header = (text: string) => h('th', { scope: 'col' }, text);
  return h(
    'table',
    { className: 'data', id: 'cluster-table' },
    h('caption', {}, `Clusters, highest ${SORTS.find((s) => s.value === sort)?.text.toLowerCase()} first`),
    h('thead', {}, h('tr', {}, header('Cluster'), sortHeader('score', 'Score'), sortHeader('size', 'Size'), header('First seen'), sortHeader('lastSeen', 'Last seen'), header('Flags'))),
    h(
      'tbody',
      {},
      clusters.map((c) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, h('a', { href: href.cluster(c.id), className: 'cluster-link' }, c.id)),
          h('td', { className: 'number' }, c.score.toFixed(1)),
          h('td', { className: 'number' }, c.size),
          h('td', {}, dateTime(c.firstSeen)),
          h('td', {}, dateTime(c.lastSeen)),
          h('td', {}, c.flags.length ? h('ul', { className: 'flag-list' }, c.flags.map((f) => h('li', { title: f.why }, h('code', {}, f.flag)))) : '—'),
        ),
      ),
    ),
  );
}

function pager(query: URLSearchParams, nextCursor: string | null): HTMLElement {
  const links: HTMLElement[] = [];
  if (query.get('cursor')) {
    const first = new URLSearchParams(query);
    first.delete('cursor');
    links.push(h('a', { href: href.clusters(first) }, 'First page'));
  }
  if (nextCursor) {
    const next = new URLSearchParams(query);
    next.set('cursor', nextCursor);
    links.push(h('a', { href: href.clusters(next), rel: 'next', id: 'next-page' }, 'Next page'));
  }
  return h('nav', { className: 'pager', 'aria-label': 'Pages of clusters' }, links);
}
