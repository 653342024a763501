// Leadwire operator console. Plain DOM, no framework, no build step.
// Every value from the API is put on the page as text (h() below appends
// strings as text nodes; nothing here parses HTML), so a lead named
// <script>…</script> shows as those characters. The token lives in this
// tab's sessionStorage only and goes out as a bearer header, never a cookie.
'use strict';
(() => {
  // id: [English, Russian]. One row per text, so no language can miss one.
  const TEXT = {
    brand: ['Leadwire console', 'Консоль Leadwire'],
    sections: ['Sections', 'Разделы'],
    inbox: ['Inbox', 'Заявки'],
    report: ['Report', 'Отчёт'],
    settings: ['Settings', 'Настройки'],
    language: ['Language', 'Язык'],
    sign_in: ['Sign in', 'Войти'],
    sign_out: ['Sign out', 'Выйти'],
    token: ['Admin token', 'Токен администратора'],
    token_hint: [
      'The ADMIN_TOKEN of this Worker. It stays in this tab and is forgotten when the tab is closed.',
      'ADMIN_TOKEN этого воркера. Он хранится только в этой вкладке и забывается, когда вкладку закрывают.',
    ],
    loading: ['Loading…', 'Загрузка…'],
    network: ['The collector did not answer. Check the connection and try again.', 'Сервер не ответил. Проверьте соединение и попробуйте ещё раз.'],
    failed: ['The request failed', 'Запрос не выполнен'],
    site: ['Site', 'Сайт'],
    all: ['All', 'Все'],
    kind: ['Kind', 'Тип'],
    channel: ['Channel', 'Канал'],
    delivery: ['Delivery', 'Доставка'],
    spam_only: ['Spam and held leads only', 'Только спам и задержанные'],
    since: ['From', 'С'],
    until: ['To', 'По'],
    apply: ['Apply', 'Применить'],
    delimiter: ['CSV separator', 'Разделитель CSV'],
    csv: ['Download CSV', 'Скачать CSV'],
    csv_done: ['The CSV file was downloaded.', 'Файл CSV скачан.'],
    time: ['Time', 'Время'],
    contact: ['Contact', 'Контакт'],
    source: ['Source', 'Источник'],
    more: ['Show more', 'Показать ещё'],
    no_leads: ['No leads match these filters.', 'Нет заявок с такими фильтрами.'],
    leads_caption: ['Leads, newest first', 'Заявки, сначала новые'],
    shown_n: ['Leads shown: ', 'Показано заявок: '],
    spam: ['spam', 'спам'],
    no_destination: ['no destination', 'нет получателей'],
    lead: ['Lead', 'Заявка'],
    back: ['Back to the inbox', 'К списку заявок'],
    received: ['Received', 'Получена'],
    name: ['Name', 'Имя'],
    phone: ['Phone', 'Телефон'],
    extension: ['Extension', 'Добавочный'],
    email: ['Email', 'Email'],
    message: ['Message', 'Сообщение'],
    product: ['Product', 'Товар'],
    fields: ['Form fields', 'Поля формы'],
    page: ['Page', 'Страница'],
    attribution: ['Attribution', 'Источник заявки'],
    deciding: ['Deciding touch', 'Решающее касание'],
    first_touch: ['First touch', 'Первое касание'],
    last_touch: ['Last touch', 'Последнее касание'],
    visits: ['Visits', 'Визиты'],
    promised: ['Answer promised by', 'Обещан ответ до'],
    details: ['Other details', 'Прочее'],
    deliveries: ['Deliveries', 'Доставки'],
    attempts: ['Attempts', 'Попытки'],
    destination: ['Destination', 'Получатель'],
    state: ['State', 'Состояние'],
    next_attempt: ['Next attempt', 'Следующая попытка'],
    status: ['Status', 'Статус'],
    error: ['Error', 'Ошибка'],
    number: ['No.', '№'],
    duration: ['Duration, ms', 'Длительность, мс'],
    replay: ['Replay', 'Отправить снова'],
    replay_to: ['Replay to ', 'Отправить снова в '],
    replay_all: ['Replay to every destination', 'Отправить снова всем получателям'],
    replayed: ['Deliveries queued again: ', 'Доставок поставлено в очередь: '],
    release: ['Release (not spam)', 'Отпустить (не спам)'],
    erase: ['Erase this lead', 'Удалить заявку'],
    erase_confirm: ['Erase this lead with its deliveries and attempts? This cannot be undone.', 'Удалить заявку с доставками и попытками? Отменить будет нельзя.'],
    erased: ['The lead was erased.', 'Заявка удалена.'],
    no_attempts: ['No attempt yet.', 'Попыток пока не было.'],
    report_title: ['Report', 'Отчёт'],
    per_day: ['Leads per day by channel', 'Заявки по дням и каналам'],
    chart_label: ['Bar chart of leads per day, stacked by channel', 'Столбчатая диаграмма заявок по дням с разбивкой по каналам'],
    by_day: ['By day', 'По дням'],
    by_channel: ['By channel', 'По каналам'],
    by_campaign: ['By campaign', 'По кампаниям'],
    by_mode: ['Funnel by mode', 'Воронка по режимам'],
    day: ['Day', 'День'],
    campaign: ['Campaign', 'Кампания'],
    mode: ['Mode', 'Режим'],
    none: ['(none)', '(нет)'],
    total: ['Total', 'Итого'],
    leads: ['Leads', 'Заявки'],
    spam_col: ['Spam', 'Спам'],
    delivered: ['Delivered', 'Доставлено'],
    failed_col: ['Failed', 'Ошибки'],
    pending: ['Pending', 'В очереди'],
    f_shown: ['Shown', 'Показ'],
    f_opened: ['Opened', 'Открыли'],
    f_started: ['Started', 'Начали'],
    f_submitted: ['Submitted', 'Отправили'],
    f_messenger: ['Messenger', 'Мессенджер'],
    f_accepted: ['Accepted', 'Принято'],
    f_delivered: ['Delivered (funnel)', 'Доставлено (воронка)'],
    f_failed: ['Failed (funnel)', 'Ошибки (воронка)'],
    conversion_note: ['Percentages are each step over the step before it.', 'Проценты — доля шага от предыдущего шага.'],
    period_note: ['Without dates: the last 30 days.', 'Без дат — последние 30 дней.'],
    settings_title: ['Site settings', 'Настройки сайта'],
    version: ['Version', 'Версия'],
    save: ['Save', 'Сохранить'],
    saved: ['Saved as version ', 'Сохранено, версия '],
    not_saved: ['Nothing was saved.', 'Ничего не сохранено.'],
    raw_json: ['Edit as JSON (to add a destination, a holiday, a section)', 'Править как JSON (добавить получателя, праздник, раздел)'],
    raw_label: ['The site as JSON', 'Сайт в формате JSON'],
    save_json: ['Save JSON', 'Сохранить JSON'],
    bad_json: ['This is not valid JSON: ', 'Это не JSON: '],
    lines_hint: ['One per line', 'По одному в строке'],
    secret_set: ['Set, ends in ', 'Задан, оканчивается на '],
    secret_set_short: ['Set', 'Задан'],
    secret_new: ['New value (leave empty to keep)', 'Новое значение (пусто — оставить)'],
    test_lead: ['Send a test lead', 'Отправить тестовую заявку'],
    test_ok: ['Test lead accepted', 'Тестовая заявка принята'],
    test_failed: ['Test lead not accepted', 'Тестовая заявка не принята'],
    sending: ['Sending…', 'Отправка…'],
    yes: ['yes', 'да'],
    no: ['no', 'нет'],
  };
  const KINDS = ['callback', 'form', 'chat', 'messenger_click', 'phone_click'];
  const CHANNELS = ['paid_search', 'organic_search', 'paid_social', 'organic_social', 'email', 'referral', 'display',
    'affiliate', 'messenger', 'direct', 'internal', 'unassigned'];
  const STATES = ['pending', 'delivered', 'failed', 'disabled'];
  const STEPS = ['shown', 'opened', 'started', 'submitted', 'accepted', 'delivered'];
  const TOKEN_KEY = 'leadwire-console-token';
  const LANG_KEY = 'leadwire-console-lang';
  const SVG = 'http://www.w3.org/2000/svg';

  // ---- small tools ----
  let lang = pickLanguage();
  function pickLanguage() {
    let saved = null;
    try { saved = localStorage.getItem(LANG_KEY); } catch (e) { /* storage off: follow the browser */ }
    if (saved === 'en' || saved === 'ru') return saved;
    return (navigator.language || 'en').toLowerCase().startsWith('ru') ? 'ru' : 'en';
  }
  const t = (id) => (TEXT[id] ? TEXT[id][lang === 'ru' ? 1 : 0] : id);

  let ids = 0;
  const uid = (prefix) => `${prefix}-${++ids}`;

  // An element: attributes by setAttribute (on* as listeners), children as nodes or text.
  function h(tag, attrs, ...kids) {
    const svg = ['svg', 'g', 'rect', 'line', 'text', 'title'].includes(tag);
    const el = svg ? document.createElementNS(SVG, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'value' || k === 'checked') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid !== null && kid !== undefined && kid !== false) el.append(kid instanceof Node ? kid : String(kid));
    }
    return el;
  }
  const show = (v) => (v === null || v === undefined || v === '' ? '—' : String(v));

  function when(v) {
    if (v === null || v === undefined || v === '') return '—';
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) return String(v);
    return d.toLocaleString(lang === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'short', timeStyle: 'medium' });
  }

  function token() {
    try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
  }
  function setToken(value) {
    try {
      if (value) sessionStorage.setItem(TOKEN_KEY, value); else sessionStorage.removeItem(TOKEN_KEY);
    } catch (e) { /* nothing kept: the operator signs in again */ }
  }

  let notice = ''; // shown once on the next view (after sign-out, an erase)

  // The one way to the API. A 401 anywhere but the sign-in signs out with the API's words.
  async function api(method, path, body, { quiet = false, raw = false } = {}) {
    const headers = { authorization: `Bearer ${token()}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res;
    try {
      res = await fetch(path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        cache: 'no-store', credentials: 'omit',
      });
    } catch (e) {
      return { status: 0, body: { error: { code: 'network', message: t('network') } } };
    }
    if (raw && res.ok) return { status: res.status, res };
    let json = null;
    try { json = await res.json(); } catch (e) { json = null; }
    if (res.status === 401 && !quiet) {
      setToken('');
      notice = errorText({ status: 401, body: json });
      render();
    }
    return { status: res.status, body: json };
  }
  const errorText = (a) => (a.body && a.body.error && a.body.error.message) || `${t('failed')} (${a.status})`;
  const q = (params) => {
    const s = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') s.set(k, v);
    return s.toString();
  };

  let sites = null;
  async function siteIds() {
    if (!sites) {
      const a = await api('GET', '/v1/admin/sites');
      if (a.status !== 200) return [];
      sites = a.body.sites.map((s) => s.id);
    }
    return sites;
  }

  // ---- routes: #/inbox?…, #/lead/ID, #/report?…, #/settings/SITE ----
  function route() {
    const [path, query] = location.hash.replace(/^#\/?/, '').split('?');
    const parts = path.split('/').filter(Boolean);
    return { view: parts[0] || 'inbox', arg: parts[1] ? decodeURIComponent(parts[1]) : '', params: new URLSearchParams(query || '') };
  }
  const go = (hash) => {
    if (location.hash === hash) render(); else location.hash = hash;
  };

  let generation = 0;
  async function render(focus) {
    const mine = ++generation;
    document.documentElement.lang = lang;
    const r = route();
    header(token() ? r.view : null);
    const main = document.getElementById('main');
    let view;
    if (!token()) view = signIn();
    else view = await ({ inbox, lead: leadPage, report, settings }[r.view] || inbox)(r);
    if (mine !== generation) return; // a newer route won
    document.title = `${view.dataset.title || t('brand')} · Leadwire`;
    main.replaceChildren(view);
    if (notice) {
      view.prepend(h('p', { class: 'notice', role: 'status' }, notice));
      notice = '';
    }
    if (focus) main.focus();
  }

  function header(current) {
    const top = document.getElementById('top');
    const select = h('select', { id: 'lang', onchange: (e) => {
      lang = e.target.value;
      try { localStorage.setItem(LANG_KEY, lang); } catch (err) { /* this page view only */ }
      render();
    } }, h('option', { value: 'en' }, 'English'), h('option', { value: 'ru' }, 'Русский'));
    select.value = lang;
    const links = ['inbox', 'report', 'settings'].map((v) => h('li', null,
      h('a', { href: `#/${v}`, 'aria-current': v === current || (v === 'inbox' && current === 'lead') ? 'page' : null }, t(v))));
    top.replaceChildren(
      h('p', { class: 'brand' }, t('brand')),
      current ? h('nav', { 'aria-label': t('sections') }, h('ul', null, links)) : null,
      h('div', { class: 'tools' },
        h('label', { class: 'inline', for: 'lang' }, t('language'), select),
        current ? h('button', { type: 'button', class: 'quiet', id: 'sign-out', onclick: () => { setToken(''); sites = null; go('#/inbox'); } }, t('sign_out')) : null),
    );
  }

  // ---- sign in ----
  function signIn() {
    const input = h('input', { id: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, 'aria-describedby': 'token-hint' });
    const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
    const form = h('form', { class: 'signin', onsubmit: async (e) => {
      e.preventDefault();
      setToken(input.value.trim());
      const a = await api('GET', '/v1/admin/sites', undefined, { quiet: true });
      if (a.status === 200) {
        sites = a.body.sites.map((s) => s.id);
        go('#/inbox');
      } else {
        setToken('');
        error.textContent = errorText(a);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    } },
    h('div', { class: 'field' }, h('label', { for: 'token' }, t('token')), input,
      h('p', { id: 'token-hint', class: 'muted' }, t('token_hint'))),
    error,
    h('button', { type: 'submit' }, t('sign_in')));
    return h('section', { 'data-title': t('sign_in') }, h('h1', { tabindex: '-1' }, t('sign_in')), form);
  }

  // ---- inbox ----
  // A date field's day as the operator's local midnight (or the last millisecond of it).
  function dayEdge(day, end) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
    if (!m) return '';
    const start = new Date(+m[1], +m[2] - 1, +m[3] + (end ? 1 : 0)).getTime();
    return String(end ? start - 1 : start);
  }

  function choice(id, label, options, value) {
    const select = h('select', { id, name: id },
      h('option', { value: '' }, t('all')),
      options.map((o) => h('option', { value: o }, o)));
    select.value = value || '';
    return h('div', null, h('label', { for: id }, label), select);
  }
  const dateField = (id, label, value) => h('div', null, h('label', { for: id }, label),
    h('input', { id, name: id, type: 'date', value: value || '' }));

  // The filter form; submitting it puts the filters in the address (so a view can be shared and reloaded).
  function filterForm(view, fields, extra) {
    return h('form', { class: 'filters', 'aria-label': t('apply'), onsubmit: (e) => {
      e.preventDefault();
      const data = new FormData(e.target);
      const params = {};
      for (const [k, v] of data.entries()) params[k] = v;
      go(`#/${view}?${q(params)}`);
    } }, fields, h('div', null, h('button', { type: 'submit' }, t('apply'))), extra);
  }

  function deliveryCell(lead) {
    if (lead.spam) return h('span', { class: 'spam' }, t('spam'), lead.spam_reason ? `: ${lead.spam_reason}` : '');
    const ds = lead.deliveries || [];
    if (!ds.length) return h('span', { class: 'muted' }, t('no_destination'));
    return ds.map((d) => h('span', { class: `line state-${d.state}` }, `${d.destination}: ${d.state}`));
  }

  function leadRow(lead) {
    const source = [lead.channel, lead.source, lead.campaign].filter((v) => v).join(' · ');
    return h('tr', { 'data-id': lead.id },
      h('td', null, h('a', { href: `#/lead/${encodeURIComponent(lead.id)}` }, when(lead.received_at))),
      h('td', null, lead.site),
      h('td', null, lead.kind),
      h('td', { class: 'contact' }, [lead.name, lead.phone, lead.email].filter((v) => v).map((v) => h('span', { class: 'line' }, v))),
      h('td', { class: 'source' }, show(source)),
      h('td', { class: 'delivery' }, deliveryCell(lead)));
  }

  async function inbox(r) {
    const p = r.params;
    const known = await siteIds();
    const filters = {
      site: p.get('site'), kind: p.get('kind'), channel: p.get('channel'), state: p.get('state'),
      spam: p.get('spam') === 'true' ? 'true' : '', since: dayEdge(p.get('since'), false), until: dayEdge(p.get('until'), true),
    };
    const status = h('p', { role: 'status', class: 'muted', id: 'inbox-status' });
    const tbody = h('tbody');
    const more = h('button', { type: 'button', class: 'quiet', id: 'more', hidden: true }, t('more'));
    const problem = h('p', { class: 'error', role: 'alert' });
    let cursor = null;
    let count = 0;
    async function load() {
      more.disabled = true;
      const a = await api('GET', `/v1/admin/leads?${q({ ...filters, cursor })}`);
      more.disabled = false;
      if (a.status !== 200) { problem.textContent = errorText(a); return; }
      for (const lead of a.body.leads) tbody.append(leadRow(lead));
      count += a.body.leads.length;
      cursor = a.body.next_cursor;
      more.hidden = !cursor;
      status.textContent = count ? `${t('shown_n')}${count}` : t('no_leads');
    }
    more.addEventListener('click', load);
    const delimiter = h('select', { id: 'delimiter' }, h('option', { value: 'semicolon' }, ';'), h('option', { value: 'comma' }, ','));
    const csv = h('button', { type: 'button', class: 'quiet', id: 'csv', onclick: async () => {
      const query = q({ ...filters, delimiter: delimiter.value });
      const a = await api('GET', `/v1/admin/leads.csv?${query}`, undefined, { raw: true });
      if (!a.res) { problem.textContent = errorText(a); return; }
      const blob = await a.res.blob();
      const named = /filename="([^"]+)"/.exec(a.res.headers.get('content-disposition') || '');
      const link = h('a', { href: URL.createObjectURL(blob), download: named ? named[1] : 'leads.csv', hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10000);
      status.textContent = t('csv_done');
    } }, t('csv'));
    const form = filterForm('inbox', [
      choice('site', t('site'), known, p.get('site')),
      choice('kind', t('kind'), KINDS, p.get('kind')),
      choice('channel', t('channel'), CHANNELS, p.get('channel')),
      choice('state', t('delivery'), STATES, p.get('state')),
      dateField('since', t('since'), p.get('since')),
      dateField('until', t('until'), p.get('until')),
      h('div', null, h('label', { class: 'inline' },
        h('input', { type: 'checkbox', name: 'spam', value: 'true', checked: p.get('spam') === 'true' }), t('spam_only'))),
    ]);
    await load();
    return h('section', { 'data-title': t('inbox') },
      h('h1', { tabindex: '-1' }, t('inbox')), form,
      h('div', { class: 'actions' },
        h('div', null, h('label', { for: 'delimiter' }, t('delimiter')), delimiter), h('div', { class: 'csv' }, csv)),
      problem,
      h('div', { class: 'scroll', role: 'region', 'aria-label': t('leads_caption'), tabindex: '0' },
        h('table', { id: 'leads' }, h('caption', null, t('leads_caption')),
          h('thead', null, h('tr', null, ['time', 'site', 'kind', 'contact', 'source', 'delivery'].map((c) => h('th', { scope: 'col' }, t(c))))),
          tbody)),
      status, more);
  }

  // ---- one lead ----
  // Any JSON value as text: objects as nested lists of keys.
  function valueNode(v) {
    if (v === null || v === undefined) return '—';
    if (Array.isArray(v)) return v.length ? h('ol', null, v.map((x) => h('li', null, valueNode(x)))) : '—';
    if (typeof v === 'object') return h('dl', null, Object.entries(v).map(([k, x]) => [h('dt', null, k), h('dd', null, valueNode(x))]));
    if (typeof v === 'boolean') return t(v ? 'yes' : 'no');
    return String(v);
  }
  const facts = (rows) => h('dl', null, rows.filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => [h('dt', null, k), h('dd', null, v instanceof Node ? v : valueNode(v))]));
  const TOUCH = ['channel', 'source', 'medium', 'campaign', 'term', 'content', 'click_ids', 'landing_page', 'referrer', 'at'];
  const touch = (c) => (c ? facts(TOUCH.map((k) => [k, k === 'click_ids' && c[k] && !Object.keys(c[k]).length ? null : c[k]])) : null);

  async function leadPage(r) {
    const box = h('section', { 'data-title': t('lead') });
    const status = h('p', { role: 'status', class: 'notice', id: 'lead-status' });
    async function load(message) {
      const a = await api('GET', `/v1/admin/leads/${encodeURIComponent(r.arg)}`);
      const back = h('p', null, h('a', { href: '#/inbox' }, t('back')));
      if (a.status !== 200) {
        box.replaceChildren(back, h('h1', { tabindex: '-1' }, t('lead')), h('p', { class: 'error', role: 'alert' }, errorText(a)));
        return;
      }
      status.textContent = message || '';
      box.replaceChildren(back, h('h1', { tabindex: '-1' }, `${t('lead')} ${a.body.lead.id}`), status, ...leadBody(a.body, load));
    }
    await load('');
    return box;
  }

  function leadBody(d, reload) {
    const l = d.lead;
    const at = l.attribution || {};
    const act = async (method, path, done) => {
      const a = await api(method, path);
      if (a.status >= 200 && a.status < 300) done(a.body); else reload(errorText(a));
    };
    const id = encodeURIComponent(l.id);
    const replay = (dest) => act('POST', `/v1/admin/leads/${id}/replay${dest ? `?${q({ destination: dest })}` : ''}`,
      (b) => reload(`${t('replayed')}${b.replayed}`));
    const contact = l.contact || {};
    const other = {};
    for (const k of ['slot', 'consent', 'transcript', 'messenger', 'locale']) {
      if (l[k] !== null && l[k] !== undefined && !(Array.isArray(l[k]) && !l[k].length)) other[k] = l[k];
    }
    return [
      facts([
        [t('site'), l.site], [t('kind'), l.kind], [t('received'), when(l.received_at)],
        [t('spam'), d.spam ? `${t('yes')}${d.spam_reason ? `: ${d.spam_reason}` : ''}` : null],
        [t('name'), contact.name], [t('phone'), contact.phone], [t('extension'), contact.extension], [t('email'), contact.email],
        [t('message'), l.message], [t('product'), l.product],
        [t('fields'), l.fields && Object.keys(l.fields).length ? l.fields : null],
        [t('promised'), l.expected_response_by ? when(l.expected_response_by) : null],
      ]),
      h('h2', null, t('page')), facts([['url', l.page && l.page.url], ['title', l.page && l.page.title], ['referrer', l.page && l.page.referrer]]),
      h('h2', null, t('attribution')),
      facts([[t('deciding'), touch(at)], [t('first_touch'), touch(at.first_touch)], [t('last_touch'), touch(at.last_touch)], [t('visits'), at.visits]]),
      Object.keys(other).length ? [h('h2', null, t('details')), valueNode(other)] : null,
      h('h2', null, t('deliveries')),
      h('div', { class: 'scroll', role: 'region', 'aria-label': t('deliveries'), tabindex: '0' },
        h('table', { id: 'deliveries' }, h('caption', null, t('deliveries')),
          h('thead', null, h('tr', null, [t('destination'), t('state'), t('attempts'), t('next_attempt'), t('status'), t('error'), ''].map((c, i) =>
            h('th', { scope: 'col' }, c || h('span', { class: 'muted' }, i === 6 ? t('replay') : ''))))),
          h('tbody', null, (d.deliveries || []).map((x) => h('tr', { 'data-destination': x.destination },
            h('td', null, x.destination), h('td', { class: `state-${x.state}` }, x.state), h('td', { class: 'n' }, x.attempts),
            h('td', null, when(x.next_attempt_at)), h('td', null, show(x.last_status)), h('td', null, show(x.last_error)),
            h('td', null, h('button', { type: 'button', class: 'quiet replay', 'aria-label': `${t('replay_to')}${x.destination}`, onclick: () => replay(x.destination) }, t('replay')))))))),
      h('h2', null, t('attempts')),
      (d.attempts || []).length ? h('div', { class: 'scroll', role: 'region', 'aria-label': t('attempts'), tabindex: '0' },
        h('table', { id: 'attempts' }, h('caption', null, t('attempts')),
          h('thead', null, h('tr', null, [t('destination'), t('number'), t('time'), t('status'), t('error'), t('duration')].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', null, d.attempts.map((x) => h('tr', null, h('td', null, x.destination), h('td', { class: 'n' }, x.n), h('td', null, when(x.at)),
            h('td', null, show(x.status)), h('td', null, show(x.error)), h('td', { class: 'n' }, x.duration_ms))))))
        : h('p', { class: 'muted' }, t('no_attempts')),
      h('div', { class: 'actions' },
        (d.deliveries || []).length ? h('button', { type: 'button', id: 'replay-all', onclick: () => replay('') }, t('replay_all')) : null,
        d.spam ? h('button', { type: 'button', id: 'release', onclick: () => act('POST', `/v1/admin/leads/${id}/release`, (b) => reload(`${t('replayed')}${b.replayed}`)) }, t('release')) : null,
        h('button', { type: 'button', class: 'danger', id: 'erase', onclick: () => {
          // eslint-disable-next-line no-alert
          if (!window.confirm(t('erase_confirm'))) return;
          act('DELETE', `/v1/admin/leads/${id}`, () => { notice = t('erased'); go('#/inbox'); });
        } }, t('erase'))),
    ];
  }

  // ---- report ----
  const percent = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

  // Okabe–Ito: told apart with the common colour-vision deficiencies.
  const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'];

  // Leads per day stacked by channel, scaled to the busiest day; every segment
  // says its day, channel and count. `days` is by=day; `perChannel` is
  // [channel, by=day of that channel] for each channel with leads.
  function chart(days, perChannel) {
    const width = Math.max(320, days.length * 16 + 40);
    const height = 170;
    const top = Math.max(1, ...days.map((r) => r.leads || 0));
    const plot = height - 40;
    const bar = (width - 40) / Math.max(1, days.length);
    const colour = (i) => PALETTE[i % PALETTE.length];
    const segments = days.map((day, i) => {
      let y = plot + 10;
      return perChannel.map(([channel, rows], c) => {
        const n = (rows.find((r) => r.key === day.key) || {}).leads || 0;
        if (!n) return null;
        const tall = (n / top) * plot;
        y -= tall;
        return h('rect', { class: 'bar', x: 35 + i * bar, y, width: Math.max(1, bar - 3), height: tall, fill: colour(c),
          'data-day': day.key, 'data-channel': channel, 'data-leads': n }, h('title', null, `${day.key} · ${channel}: ${n}`));
      });
    });
    const svg = h('svg', { class: 'chart', id: 'chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': t('chart_label') },
      h('line', { x1: 30, y1: plot + 10, x2: width - 5, y2: plot + 10 }),
      h('text', { class: 'axis', x: 26, y: 20, 'text-anchor': 'end' }, top),
      h('text', { class: 'axis', x: 26, y: plot + 10, 'text-anchor': 'end' }, 0),
      segments,
      days.length ? [h('text', { class: 'axis', x: 35, y: height - 8 }, days[0].key),
        h('text', { class: 'axis', x: width - 5, y: height - 8, 'text-anchor': 'end' }, days[days.length - 1].key)] : null);
    const legend = h('ul', { class: 'legend', id: 'chart-legend' }, perChannel.map(([channel], c) => h('li', null,
      h('svg', { width: 12, height: 12, 'aria-hidden': 'true' }, h('rect', { width: 12, height: 12, fill: colour(c) })),
      ` ${channel === '' ? t('none') : channel}`)));
    return [svg, legend];
  }

  // A stats answer as a table: the lead counts, then each funnel step with its conversion.
  function statsTable(id, caption, keyLabel, answer, funnelOnly) {
    const steps = funnelOnly ? ['shown', 'opened', 'started', 'submitted', 'messenger', 'accepted', 'delivered', 'failed'] : STEPS;
    const counts = funnelOnly ? [] : ['leads', 'spam', 'delivered', 'failed', 'pending'];
    const heads = [keyLabel, ...counts.map((c) => t({ leads: 'leads', spam: 'spam_col', delivered: 'delivered', failed: 'failed_col', pending: 'pending' }[c])),
      ...steps.map((s) => t(`f_${s}`))];
    const row = (r, cell, key) => h('tr', { 'data-key': r.key },
      h(cell, cell === 'th' ? { scope: 'row' } : null, key),
      counts.map((c) => h('td', { class: 'n', 'data-col': c }, show(r[c]))),
      steps.map((s) => {
        const n = r.funnel ? r.funnel[s] : null;
        const rate = r.conversion && s in r.conversion ? r.conversion[s] : undefined;
        return h('td', { class: 'n', 'data-col': `funnel.${s}` }, show(n), rate !== undefined ? h('small', { class: 'line' }, percent(rate)) : null);
      }));
    const label = (k) => (k === '' ? t('none') : k);
    return h('div', { class: 'scroll', role: 'region', 'aria-label': caption, tabindex: '0' },
      h('table', { id }, h('caption', null, caption),
        h('thead', null, h('tr', null, heads.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', null, answer.rows.map((r) => row(r, 'th', label(r.key)))),
        answer.total ? h('tfoot', null, row({ ...answer.total, key: '' }, 'th', t('total'))) : null));
  }

  async function report(r) {
    const p = r.params;
    const known = await siteIds();
    const site = p.get('site') || known[0] || '';
    const siteSelect = h('select', { id: 'site', name: 'site' }, known.map((s) => h('option', { value: s }, s)));
    siteSelect.value = site;
    const form = filterForm('report', [
      h('div', null, h('label', { for: 'site' }, t('site')), siteSelect),
      dateField('since', t('since'), p.get('since')), dateField('until', t('until'), p.get('until')),
    ], h('p', { class: 'muted' }, t('period_note')));
    const box = h('section', { 'data-title': t('report_title') }, h('h1', { tabindex: '-1' }, t('report_title')), form);
    if (!site) return box;
    const base = `/v1/admin/stats?${q({ site, since: p.get('since'), until: p.get('until') })}`;
    const [day, channel, campaign, mode] = await Promise.all(['day', 'channel', 'campaign', 'mode'].map((by) => api('GET', `${base}&by=${by}`)));
    const failed = [day, channel, campaign, mode].find((a) => a.status !== 200);
    if (failed) {
      box.append(h('p', { class: 'error', role: 'alert' }, errorText(failed)));
      return box;
    }
    // One by-day answer per channel that has leads: the chart's stacks.
    const channels = channel.body.rows.filter((r) => r.leads > 0).map((r) => r.key);
    const daily = await Promise.all(channels.map((c) => api('GET', `${base}&by=day&${q({ channel: c })}`)));
    const perChannel = channels.map((c, i) => [c, daily[i].status === 200 ? daily[i].body.rows : []]);
    box.append(
      h('p', { class: 'muted', id: 'period' }, `${day.body.site}: ${day.body.since} — ${day.body.until}`),
      h('h2', null, t('per_day')), ...chart(day.body.rows, perChannel),
      h('h2', null, t('by_channel')), statsTable('by-channel', t('by_channel'), t('channel'), channel.body),
      h('h2', null, t('by_campaign')), statsTable('by-campaign', t('by_campaign'), t('campaign'), campaign.body),
      h('h2', null, t('by_mode')), statsTable('by-mode', t('by_mode'), t('mode'), mode.body, true),
      h('p', { class: 'muted' }, t('conversion_note')),
      h('h2', null, t('by_day')), statsTable('by-day', t('by_day'), t('day'), day.body));
    return box;
  }

  // ---- settings ----
  // `widget.texts.title`, `destination[0].url`: the paths the API's field errors name (after `site.`).
  const join = (path, key) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);
  function split(path) {
    const keys = [];
    path.replace(/([^.[\]]+)|\[(\d+)\]/g, (_, name, index) => { keys.push(index !== undefined ? +index : name); return ''; });
    return keys;
  }
  const isScalar = (v) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
  const isSecret = (v) => v && typeof v === 'object' && !Array.isArray(v) && v.set === true;

  function input(path, value, label) {
    const id = uid('f');
    let control;
    if (typeof value === 'boolean') {
      control = h('input', { id, type: 'checkbox', 'data-path': path, 'data-type': 'boolean', checked: value });
      return h('div', { class: 'field' }, h('label', { class: 'inline', for: id }, control, label));
    }
    if (Array.isArray(value)) {
      control = h('textarea', { id, 'data-path': path, 'data-type': value.length && value.every((x) => typeof x === 'number') ? 'numbers' : 'lines', 'aria-describedby': `${id}-hint` });
      control.value = value.join('\n');
      return h('div', { class: 'field' }, h('label', { for: id }, label), control, h('small', { id: `${id}-hint` }, t('lines_hint')));
    }
    if (isSecret(value)) {
      control = h('input', { id, type: 'password', autocomplete: 'new-password', 'data-path': path, 'data-type': 'secret', 'aria-describedby': `${id}-hint` });
      return h('div', { class: 'field' }, h('label', { for: id }, label),
        h('p', { class: 'muted', id: `${id}-hint` }, value.last4 ? `${t('secret_set')}${value.last4}` : t('secret_set_short'), '. ', t('secret_new')), control);
    }
    const type = typeof value === 'number' ? 'number' : value === null ? 'null' : 'string';
    control = h('input', { id, type: type === 'number' ? 'number' : 'text', step: type === 'number' ? 'any' : null, 'data-path': path, 'data-type': type });
    control.value = value === null ? '' : String(value);
    return h('div', { class: 'field' }, h('label', { for: id }, label), control);
  }

  // The site's JSON as fields: objects become fieldsets, scalars inputs, lists of scalars textareas.
  function fields(value, path, site, legend) {
    const kids = [];
    const scalars = [];
    for (const [key, v] of Object.entries(value)) {
      const at = join(path, key);
      if (isScalar(v) || isSecret(v) || (Array.isArray(v) && v.every(isScalar))) scalars.push(input(at, v, key));
      else if (Array.isArray(v)) v.forEach((item, i) => kids.push(isScalar(item) ? input(join(at, i), item, `${key}[${i}]`) : fields(item, join(at, i), site, `${key}[${i}]${item && item.id ? ` · ${item.id}` : ''}`)));
      else kids.push(fields(v, at, site, key));
    }
    const extra = /^destination\[\d+\]$/.test(path) && value.id ? testButton(site, value.id) : null;
    const body = [h('div', { class: 'grid' }, scalars), kids, extra];
    return legend === null ? body : h('fieldset', { 'data-path': path }, h('legend', null, legend), body);
  }

  function testButton(site, destination) {
    const out = h('p', { role: 'status', class: 'muted test-result' });
    const button = h('button', { type: 'button', class: 'quiet test-lead', 'data-destination': destination, onclick: async () => {
      button.disabled = true;
      out.textContent = t('sending');
      const a = await api('POST', `/v1/admin/sites/${encodeURIComponent(site)}/destinations/${encodeURIComponent(destination)}/test`);
      button.disabled = false;
      if (a.status !== 200) { out.textContent = errorText(a); return; }
      const b = a.body;
      out.textContent = `${b.ok ? t('test_ok') : t('test_failed')} · ${t('status')} ${show(b.status)}${b.reason ? ` · ${b.detail || b.reason}` : ''} · ${b.duration_ms} ms`;
    } }, `${t('test_lead')}: ${destination}`);
    return h('div', { class: 'actions' }, button, out);
  }

  // The edited site: the JSON as read, with each field's value put back at its path.
  function collect(form, original) {
    const site = JSON.parse(JSON.stringify(original));
    for (const el of form.querySelectorAll('[data-path][data-type]')) {
      const keys = split(el.dataset.path);
      let parent = site;
      for (const k of keys.slice(0, -1)) parent = parent[k];
      const last = keys[keys.length - 1];
      const type = el.dataset.type;
      const lines = () => el.value.split('\n').map((s) => s.trim()).filter((s) => s);
      if (type === 'boolean') parent[last] = el.checked;
      else if (type === 'lines') parent[last] = lines();
      else if (type === 'numbers') parent[last] = lines().map(Number);
      else if (type === 'secret') parent[last] = el.value ? el.value : { set: true };
      else if (type === 'number') parent[last] = el.value === '' ? null : Number(el.value);
      else if (type === 'null') parent[last] = el.value === '' ? null : el.value;
      else parent[last] = el.value;
    }
    return site;
  }

  // A refused write: each field's message beside its input (or its list), the rest at the top.
  function showErrors(form, top, answer) {
    for (const el of form.querySelectorAll('.field-error')) el.remove();
    for (const el of form.querySelectorAll('[aria-invalid]')) { el.removeAttribute('aria-invalid'); el.removeAttribute('aria-errormessage'); }
    const rest = [];
    for (const f of (answer.body && answer.body.error && answer.body.error.fields) || []) {
      const path = f.field.replace(/^site\./, '');
      const target = [path, path.replace(/\[\d+\]$/, '')].map((p) => form.querySelector(`[data-path="${CSS.escape(p)}"]`)).find((x) => x);
      if (!target) { rest.push(`${f.field}: ${f.message}`); continue; }
      const id = uid('err');
      const message = h('p', { class: 'field-error', id, 'data-field': f.field }, f.message);
      if (target.tagName === 'FIELDSET') target.querySelector('legend').after(message);
      else {
        target.setAttribute('aria-invalid', 'true');
        target.setAttribute('aria-errormessage', id);
        target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), id].filter((x) => x).join(' '));
        target.closest('.field').append(message);
      }
    }
    top.replaceChildren(errorText(answer), rest.length ? h('ul', null, rest.map((x) => h('li', null, x))) : null);
  }

  async function settings(r) {
    const known = await siteIds();
    const site = r.arg || known[0] || '';
    const siteSelect = h('select', { id: 'site', onchange: (e) => go(`#/settings/${encodeURIComponent(e.target.value)}`) },
      known.map((s) => h('option', { value: s }, s)));
    siteSelect.value = site;
    const box = h('section', { 'data-title': t('settings_title') }, h('h1', { tabindex: '-1' }, t('settings_title')),
      h('div', { class: 'filters' }, h('div', null, h('label', { for: 'site' }, t('site')), siteSelect)));
    const status = h('p', { role: 'status', class: 'notice', id: 'settings-status' });
    const top = h('div', { role: 'alert', class: 'error', id: 'settings-errors' });
    const area = h('div');
    box.append(status, top, area);
    if (!site) return box;
    async function load(message) {
      const a = await api('GET', `/v1/admin/sites/${encodeURIComponent(site)}`);
      if (a.status !== 200) { top.textContent = errorText(a); return; }
      const { version, site: json } = a.body;
      const save = async (edited, form) => {
        top.replaceChildren();
        status.textContent = '';
        const w = await api('PUT', `/v1/admin/sites/${encodeURIComponent(site)}`, { version, site: edited });
        if (w.status === 200) { await load(`${t('saved')}${w.body.version}`); return; }
        if (form) showErrors(form, top, w); else top.textContent = errorText(w);
        if (w.status === 409 || !form) top.append(' ', t('not_saved'));
      };
      const form = h('form', { id: 'site-form', onsubmit: (e) => { e.preventDefault(); save(collect(form, json), form); } },
        h('p', { class: 'muted' }, `${t('version')} ${version}`),
        fields(json, '', site, null),
        h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'save' }, t('save'))));
      const raw = h('textarea', { id: 'raw-json', class: 'json', spellcheck: 'false' });
      raw.value = JSON.stringify(json, null, 2);
      const rawSave = h('button', { type: 'button', id: 'save-json', onclick: () => {
        let edited;
        try { edited = JSON.parse(raw.value); } catch (e) { top.textContent = `${t('bad_json')}${e.message}`; return; }
        save(edited, null);
      } }, t('save_json'));
      area.replaceChildren(form, h('details', null, h('summary', null, t('raw_json')),
        h('label', { for: 'raw-json' }, t('raw_label')), raw, h('div', { class: 'actions' }, rawSave)));
      status.textContent = message || '';
    }
    await load('');
    return box;
  }

  window.addEventListener('hashchange', () => render(true));
  render(false);
})();
