// The console's shell: header, navigation, sign-out, and the page the address names. Each page
// renders into <main>; a page that draws a graph returns a clean-up run when the address changes.
import { credential, signOut } from './api';
import { h } from './dom';
import { clusterPage } from './pages/cluster';
import { clustersPage } from './pages/clusters';
import { heading } from './pages/common';
import { networkPage } from './pages/network';
import { decisionPage, reviewPage } from './pages/review';
import { signInPage } from './pages/signin';
import { href, parseRoute } from './router';

const main = document.getElementById('main') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;
let cleanUp: (() => void) | undefined;
let generation = 0;

function renderAccount(): void {
  if (!credential()) {
    account.replaceChildren(h('a', { href: href.signin() }, 'Sign in'));
    return;
  }
  account.replaceChildren(
    h('span', { className: 'muted' }, 'Signed in '),
    h(
      'button',
      {
        type: 'button',
        className: 'secondary',
        id: 'sign-out',
        onclick: () => {
          signOut();
          renderAccount();
          location.hash = href.signin();
        },
      },
      'Sign out',
    ),
  );
}

async function show(): Promise<void> {
  const mine = ++generation;
  cleanUp?.();
  cleanUp = undefined;
  const route = parseRoute(location.hash);
  const section = route.page === 'clusters' || route.page === 'cluster' || route.page === 'network' ? 'clusters' : route.page === 'review' || route.page === 'decision' ? 'review' : undefined;
  document.querySelectorAll<HTMLAnchorElement>('nav.site a').forEach((a) => {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  renderAccount();
  main.setAttribute('aria-busy', 'true');
  if (route.page === 'signin' || !credential()) {
    const then = route.page === 'signin' ? href.clusters() : location.hash || href.clusters();
    signInPage(main, then, route.page === 'signin' ? undefined : 'Sign in to continue.');
    document.title = 'Sign in · Investigator console';
  } else if (route.page === 'clusters') {
    document.title = 'Clusters · Investigator console';
    await clustersPage(main, route.query);
  } else if (route.page === 'cluster') {
    document.title = `${route.clusterId} · Investigator console`;
    const done = await clusterPage(main, route.clusterId);
    if (mine === generation) cleanUp = done;
    else done();
  } else if (route.page === 'network') {
    document.title = `Network of ${route.applicationId} · Investigator console`;
    const done = await networkPage(main, route.applicationId, route.depth);
    if (mine === generation) cleanUp = done;
    else done();
  } else if (route.page === 'review') {
    document.title = 'Review queue · Investigator console';
    await reviewPage(main, route.query);
  } else if (route.page === 'decision') {
    document.title = `Decision ${route.decisionId} · Investigator console`;
    await decisionPage(main, route.decisionId);
  } else {
    main.replaceChildren(heading('Not found'), h('p', {}, 'No such page. ', h('a', { href: href.clusters() }, 'Go to the suspicious clusters.')));
  }
  if (mine !== generation) return;
  main.removeAttribute('aria-busy');
  main.dataset.page = route.page === 'signin' || credential() ? route.page : 'signin';
  // Focus follows the page: its heading, so a screen reader says where the investigator landed.
  document.getElementById('page-heading')?.focus({ preventScroll: true });
}

document.getElementById('skip-link')?.addEventListener('click', () => main.focus());
window.addEventListener('hashchange', () => void show());
document.addEventListener('console:signed-in', () => void show());
void show();
