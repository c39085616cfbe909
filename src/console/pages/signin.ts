// Sign in with an API key (made by `npm run api-key`). The key is checked against the API before
// it is kept, and kept in this tab's sessionStorage only.
import { ApiFailure, apiGet, signIn, signOut } from '../api';
import { fill, h, status } from '../dom';
import { heading } from './common';

export function signInPage(main: HTMLElement, then: string, reason?: string): void {
  const input = h('input', { id: 'api-key', name: 'apiKey', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'api-key-hint' });
  const result = h('div', { className: 'form-result' });
  const form = h(
    'form',
    { className: 'signin', 'aria-labelledby': 'page-heading' },
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('p', { id: 'api-key-hint', className: 'muted' }, 'Your personal key, e.g. one made with npm run api-key -- add --role investigator. It stays in this browser tab only and is forgotten when you sign out or close the tab.'),
    h('p', {}, h('button', { type: 'submit' }, 'Sign in')),
    result,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(input.value.trim());
    result.replaceChildren(status('Checking the key…'));
    // Every role may read the API's description: a 200 says the key is good, whatever its roles.
    apiGet<unknown>('/openapi.json').then(
      () => {
        // Back to the page asked for; when that is this address (no hashchange), the shell is told.
        if (location.hash === then) document.dispatchEvent(new CustomEvent('console:signed-in'));
        else location.hash = then;
      },
      (err: unknown) => {
        signOut();
        result.replaceChildren(status(err instanceof ApiFailure && err.status === 401 ? 'The service did not accept this key (401). Check it and try again.' : String(err instanceof ApiFailure ? err.explain('any') : err), 'error'));
      },
    );
  });
  fill(main, heading('Sign in'), reason ? status(reason) : null, form);
}
