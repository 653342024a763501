/* EXPERIMENT (candidate A of the widget-cost issue, for measurement only): a
   page-view facade in plain JS. On every page view it fetches the site's
   config, records the touch, and draws the launcher in a shadow root; the wasm
   widget is fetched only on intent (pointer over, focus, touchstart) and
   started on the click. Not wired to the wasm's hand-over: this build measures
   what a visitor who never opens the widget pays. */
(function (w, d) {
  var s = d.currentScript, base = s.src.replace(/[^\/?#]*([?#].*)?$/, ''), site = s.getAttribute('data-site');
  var lw = w.leadwire = w.leadwire || function () { (lw.q = lw.q || []).push(arguments); };
  var boot;
  function load() {
    if (boot) return boot;
    var wasm = fetch(base + 'leadwire_bg.wasm');
    return boot = import(base + 'leadwire.js').then(function (m) {
      return m.default({ module_or_path: wasm }).then(function () { return m; });
    });
  }
  function touch(cfg) {
    var key = 'leadwire:touches', now = Date.now(), t;
    try { t = JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { t = {}; }
    var here = { url: location.href, referrer: d.referrer || null, at: now };
    var external = here.referrer && new URL(here.referrer).hostname != location.hostname;
    var tagged = /[?&](utm_[a-z]+|gclid|yclid|fbclid)=/.test(location.search);
    if (!t.first) t.first = here;
    if (external || tagged) t.last = here;
    if (!t.seen || now - t.seen > 30 * 60000) t.visits = (t.visits || 0) + 1;
    t.seen = now;
    try { localStorage.setItem(key, JSON.stringify(t)); } catch (e) {}
  }
  function draw(cfg) {
    var theme = (cfg.widget && cfg.widget.theme) || {}, host = d.createElement('leadwire-widget');
    var root = host.attachShadow({ mode: 'open' }), st = d.createElement('style'), b = d.createElement('button');
    st.textContent = ':host{all:initial}.launcher{position:fixed;bottom:20px;' + (theme.position == 'bottom-left' ? 'left' : 'right')
      + ':20px;z-index:' + (theme.z_index || 2147483000) + ';display:flex;align-items:center;gap:8px;padding:12px 18px;border:0;'
      + 'border-radius:999px;background:' + (theme.color || '#1a56db') + ';color:#fff;font:600 15px/1.2 system-ui,sans-serif;'
      + 'box-shadow:0 4px 14px rgba(0,0,0,.25);cursor:pointer}.launcher:focus-visible{outline:3px solid #000;outline-offset:2px}';
    b.className = 'launcher';
    b.type = 'button';
    b.textContent = (navigator.language || '').slice(0, 2) == 'ru' ? 'Связаться' : 'Contact us';
    ['pointerover', 'focus', 'touchstart'].forEach(function (e) { b.addEventListener(e, load, { passive: true, once: true }); });
    b.addEventListener('click', function () {
      load().then(function (m) { m.start(site, base, (lw.q || []).concat([['open']])); });
    });
    root.appendChild(st);
    root.appendChild(b);
    d.body.appendChild(host);
  }
  function start() {
    var tz = ''; try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) {}
    fetch(base + 'v1/sites/' + encodeURIComponent(site) + '/config?tz=' + encodeURIComponent(tz) + '&lang=' + (navigator.language || 'en').slice(0, 2))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (cfg) { if (cfg) { touch(cfg); draw(cfg); } })['catch'](function () {});
  }
  d.readyState == 'complete' ? start() : w.addEventListener('load', start);
})(window, document);
