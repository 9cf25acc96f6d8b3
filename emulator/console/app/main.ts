import { h } from './dom.js';
import { findingsView } from './findings.js';
import { domainsView } from './domains.js';
import { itemsView, itemView } from './items.js';
import { href, parseRoute, type Route } from './router.js';
import { selectView } from './select.js';
import { shapeView } from './shape.js';
import { timelineView, trafficView } from './traffic.js';

/** A view draws into its section and returns what stops its timers when the route changes. */
export type View = (root: HTMLElement) => (() => void) | void;

function viewFor(route: Route): { title: string; nav: string; draw: View } {
  switch (route.view) {
    case 'domains':
      return { title: 'Domains', nav: 'domains', draw: domainsView };
    case 'items':
      return { title: `Domain ${route.domain}`, nav: 'domains', draw: itemsView(route.domain, route.next, route.browse) };
    case 'item':
      return { title: `Item ${route.item}`, nav: 'domains', draw: itemView(route.domain, route.item) };
    case 'select':
      return { title: 'Select', nav: 'select', draw: selectView(route.query, route.consistent) };
    case 'traffic':
      return { title: 'Traffic', nav: 'traffic', draw: trafficView(route.filter) };
    case 'timeline':
      return { title: `Timeline of ${route.item}`, nav: 'traffic', draw: timelineView(route.domain, route.item) };
    case 'shape':
      return { title: 'Shape the traffic', nav: 'shape', draw: shapeView };
    case 'findings':
      return { title: 'Findings', nav: 'findings', draw: findingsView };
    case 'missing':
      return {
        title: 'Not found',
        nav: '',
        draw: (root) => {
          root.append(h('h1', {}, 'No such view'), h('p', { class: 'notice error', role: 'alert' }, `Nothing lives at ${route.hash}. `, h('a', { href: href.domains() }, 'Go to the domains')));
        },
      };
  }
}

const NAV: [string, string, string][] = [
  ['domains', 'Domains', href.domains()],
  ['select', 'Select', href.select()],
  ['traffic', 'Traffic', href.traffic()],
  ['shape', 'Shape', href.shape()],
  ['findings', 'Findings', href.findings()],
];

const main = h('main', { id: 'main', tabindex: '-1' });
const links = NAV.map(([key, label, link]) => h('a', { href: link, 'data-nav': key }, label));
document.body.append(
  h('a', { class: 'skip', href: '#main', onclick: (e) => (e.preventDefault(), main.focus()) }, 'Skip to content'),
  h('header', {}, h('span', { class: 'brand' }, 'simpledb-local'), h('nav', { 'aria-label': 'Views' }, ...links)),
  main,
);

let stop: (() => void) | void;
function render(): void {
  stop?.();
  const view = viewFor(parseRoute(location.hash));
  document.title = `${view.title} · simpledb-local console`;
  for (const a of links) {
    if (a.dataset.nav === view.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const section = h('section', { 'aria-label': view.title });
  main.replaceChildren(section);
  stop = view.draw(section);
}
window.addEventListener('hashchange', render);
render();
