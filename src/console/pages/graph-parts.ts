// What the two network pages share: the legend, the graph container, the export buttons.
import { download } from '../api';
import { h, status } from '../dom';
import { IDENTIFIER_COLOURS, NODE_COLOURS } from '../graph-view';
import { failure } from './common';

function swatch(colour: string): HTMLElement {
  const mark = h('span', { className: 'swatch', 'aria-hidden': 'true' });
  // Set through the CSS object model: the page's policy refuses inline style attributes.
  mark.style.backgroundColor = colour;
  return mark;
}

export function legend(identifierTypes: readonly string[]): HTMLElement {
  const entries: [string, string][] = [
    [NODE_COLOURS.application, 'Application'],
    [NODE_COLOURS.declined, 'Application, declined'],
    [NODE_COLOURS.fraud, 'Labelled fraud'],
    [NODE_COLOURS.legit, 'Labelled legitimate'],
    ...identifierTypes.map((t): [string, string] => [IDENTIFIER_COLOURS[t] ?? NODE_COLOURS.hub, `Shared ${t}`]),
    [NODE_COLOURS.hub, 'Common identifier (hub: shown, not expanded)'],
  ];
  return h('ul', { className: 'legend', 'aria-label': 'Legend' }, entries.map(([colour, text]) => h('li', {}, swatch(colour), text)));
}

/** The element sigma draws into, described for screen readers (the tables below list the same nodes). */
export function graphContainer(description: string): HTMLElement {
  return h('div', { className: 'graph', id: 'graph', role: 'img', 'aria-label': description });
}

/** Export buttons: each fetches the file with the caller's credential (a plain link could not send it) and saves it. */
export function exports(path: string, baseName: string): HTMLElement {
  const result = h('div', { className: 'form-result' });
  const button = (format: string, extension: string, text: string) =>
    h(
      'button',
      {
        type: 'button',
        className: 'secondary',
        'data-format': format,
        onclick: () => {
          result.replaceChildren(status(`Preparing ${text}…`));
          download(`${path}?format=${format}`, `${baseName}.${extension}`).then(
            () => result.replaceChildren(status(`${text} saved.`, 'success')),
            (err: unknown) => result.replaceChildren(failure(err, 'investigator or admin')),
          );
        },
      },
      `Export ${text}`,
    );
  // The formats the API writes (?format=gexf|csv): GEXF opens in Gephi and graph tools, the CSV in a spreadsheet.
  return h('div', { className: 'exports', role: 'group', 'aria-label': 'Exports' }, button('gexf', 'gexf', 'GEXF'), button('csv', 'csv', 'CSV of members'), result);
}
