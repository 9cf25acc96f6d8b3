import { action, ActionError, domainMetadata, listDomains } from './api.js';
import { confirmDialog, field, h, notice } from './dom.js';
import { href } from './router.js';

export const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function domainsView(root: HTMLElement): void {
  const status = h('div', { 'aria-live': 'polite' });
  const list = h('div', {});
  const name = h('input', { name: 'domain', required: true, autocomplete: 'off', pattern: '[a-zA-Z0-9_.\\-]{3,255}' });
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Create a domain' },
    field('New domain', name, '3 to 255 of a–z, A–Z, 0–9, _ - .'),
    h('button', { type: 'submit' }, 'Create domain'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      try {
        await action({ Action: 'CreateDomain', DomainName: name.value });
        status.replaceChildren(notice('ok', `Created ${name.value}.`));
        name.value = '';
        await load();
      } catch (err) {
        status.replaceChildren(notice('error', describeError(err)));
      }
    })();
  });
  root.append(h('h1', {}, 'Domains'), form, status, list);

  async function remove(domain: string): Promise<void> {
    if (!(await confirmDialog(`Delete domain ${domain} and every item in it?`, 'Delete domain'))) return;
    try {
      await action({ Action: 'DeleteDomain', DomainName: domain });
      status.replaceChildren(notice('ok', `Deleted ${domain}.`));
      await load();
    } catch (err) {
      status.replaceChildren(notice('error', describeError(err)));
    }
  }

  async function load(): Promise<void> {
    list.replaceChildren(notice('info', 'Loading…'));
    let names: string[];
    try {
      names = await listDomains();
    } catch (err) {
      list.replaceChildren(notice('error', err instanceof ActionError ? err.message : describeError(err)));
      return;
    }
    if (names.length === 0) {
      list.replaceChildren(notice('empty', 'No domains yet. Create one above, or with any SimpleDB client.'));
      return;
    }
    const figures = await Promise.all(names.map((d) => domainMetadata(d).catch(() => undefined)));
    const rows = names.map((d, i) => {
      const f = figures[i];
      return h(
        'tr',
        {},
        h('th', { scope: 'row' }, h('a', { href: href.items(d) }, d)),
        h('td', { class: 'num' }, f ? f.itemCount.toLocaleString('en') : '—'),
        h('td', { class: 'num' }, f?.attributeNameCount ?? '—'),
        h('td', { class: 'num' }, f ? f.attributeValueCount.toLocaleString('en') : '—'),
        h('td', { class: 'num' }, f ? f.bytes.toLocaleString('en') : '—'),
        h('td', {}, h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete domain ${d}`, onclick: () => void remove(d) }, 'Delete')),
      );
    });
    list.replaceChildren(
      h(
        'div',
        { class: 'scroll' },
        h(
          'table',
          {},
          h('caption', {}, `${names.length} domain${names.length === 1 ? '' : 's'} (figures from DomainMetadata)`),
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Domain'),
              ...['Items', 'Attribute names', 'Name-value pairs', 'Bytes'].map((t) => h('th', { scope: 'col', class: 'num' }, t)),
              h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
            ),
          ),
          h('tbody', {}, ...rows),
        ),
      ),
    );
  }
  void load();
}
