/* Leadwire loader (w.js): all a page view runs unless the visitor shows
   intent. After the page's load event and first paint it takes the site's
   config (written in front of it when served as the site's own loader,
   /v1/sites/{site}/w.js; fetched otherwise; a foreign origin gets neither),
   draws the launcher in a task of its own, and at idle records the page
   view's touch by lead::touches::record_page_view (tables from lead, written
   in by the build; checked against the Rust function by xtask's loader oracle
   test). The wasm widget is fetched on intent, with the config again for the
   visitor's time zone, and started on a click, a command, a due trigger, an
   inline form or an unsent lead; it adopts the launcher, the config, the
   touches and the command queue (`handover`). */
(function (w, d) {
  var T = __LEADWIRE_TABLES__;
  var s = d.currentScript;
  if (!s) return;
  /* Served as the site's own loader (/v1/sites/{site}/w.js), the site and its config come written in before this. */
  var preset = w.__leadwire;
  try { delete w.__leadwire; } catch (e) {}
  var base = s.src.replace(/(v1\/sites\/[^\/?#]+\/)?[^\/?#]*([?#].*)?$/, '');
  var site = preset ? preset.site : s.getAttribute('data-site');
  var q = (w.leadwire && w.leadwire.q) || [];
  var lw = w.leadwire = function () {
    q.push(arguments);
    if (arguments[0] == 'open') wake();
  };
  lw.q = q;
  var handover = { queue: q }, loading, started, arrived;
  /* How long before a timed trigger the wasm is fetched and started: a slow phone's download and compile. */
  var AHEAD_MS = 5000;

  /* --- Touches: lead::touches::record_page_view, line for line. --- */

  /* Rust's char::is_whitespace (JS's \s differs: it has U+FEFF, lacks U+0085). */
  var WS = '[\\t-\\r \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
  var TRIM = new RegExp('^' + WS + '+|' + WS + '+$', 'g');
  function trim(x) { return x.replace(TRIM, ''); }
  /* ASCII only, as Rust's to_ascii_lowercase and eq_ignore_ascii_case. */
  function lower(x) { return x.replace(/[A-Z]+/g, function (c) { return c.toLowerCase(); }); }
  function utf8(x) { return new TextEncoder().encode(x); }
  function chars(x) { return Array.from(x); }
  function truncate(x, max) { return chars(x).slice(0, max).join(''); }
  function isParam(name) { return T.params.indexOf(name) >= 0; }

  /* url::form_urlencoded::parse: `+` is a space, bad escapes stay, bad UTF-8 becomes U+FFFD. */
  function decode(x) {
    var b = utf8(x.replace(/\+/g, ' ')), out = [], i, h;
    for (i = 0; i < b.length; i++) {
      h = b[i] == 37 && i + 2 < b.length && String.fromCharCode(b[i + 1], b[i + 2]);
      if (h && /^[0-9a-fA-F]{2}$/.test(h)) { out.push(parseInt(h, 16)); i += 2; } else out.push(b[i]);
    }
    return new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(out));
  }
  function pairs(url) {
    var u = url.split('#')[0], at = u.indexOf('?'), out = [];
    if (at < 0) return out;
    u.slice(at + 1).split('&').forEach(function (p) {
      var e = p.indexOf('=');
      if (p) out.push(e < 0 ? [decode(p), ''] : [decode(p.slice(0, e)), decode(p.slice(e + 1))]);
    });
    return out;
  }
  /* form_urlencoded::byte_serialize. */
  function encode(x) {
    return Array.prototype.map.call(utf8(x), function (c) {
      var ch = String.fromCharCode(c);
      return /[0-9A-Za-z*\-._]/.test(ch) ? ch : c == 32 ? '+' : '%' + (c < 16 ? '0' : '') + c.toString(16).toUpperCase();
    }).join('');
  }
  function tagged(url) {
    return pairs(url).some(function (p) { return isParam(p[0]) && trim(p[1]) != ''; });
  }
  function host(url) {
    var t = trim(url), at = t.indexOf('://'), a, h;
    if (at < 0 || ['http', 'https', 'android-app'].indexOf(lower(t.slice(0, at))) < 0) return null;
    a = t.slice(at + 3).split(/[\/?#\\]/)[0];
    a = a.slice(a.lastIndexOf('@') + 1);
    h = a[0] == '[' ? a.slice(1).split(']')[0] : a.split(':')[0];
    return h || null;
  }
  function siteKey(h) {
    h = lower(trim(h));
    var c = h.lastIndexOf(':');
    if (c >= 0 && h.slice(0, c).indexOf(':') < 0 && /^[0-9]*$/.test(h.slice(c + 1))) h = h.slice(0, c);
    h = h.replace(/\.+$/, '');
    return h.slice(0, 4) == 'www.' ? h.slice(4) : h;
  }
  function within(h, domain) {
    var rest = h.slice(0, h.length - domain.length);
    return h.length >= domain.length && h.slice(rest.length) == domain && (rest == '' || rest.slice(-1) == '.');
  }
  function hostMatches(h, app, pattern) {
    var brand = pattern.slice(0, -2), labels, cut, k, dot, ok;
    if (pattern.slice(0, 14) == 'android-app://') return app && h == pattern.slice(14);
    if (app) return false;
    if (pattern.slice(-2) != '.*') return within(h, pattern);
    for (labels = 1; labels <= 2; labels++) {
      for (cut = h.length, ok = true, k = 0; k < labels && ok; k++) {
        dot = cut > 0 ? h.lastIndexOf('.', cut - 1) : -1;
        if (dot < 0) ok = false; else cut = dot;
      }
      if (ok && (labels == 1 || utf8(h.slice(cut + 1).split('.')[0]).length <= 3) && within(h.slice(0, cut), brand)) return true;
    }
    return false;
  }
  function searched(referrer) {
    var from = host(referrer), app = lower(trim(referrer).slice(0, 14)) == 'android-app://', i;
    if (from == null) return false;
    from = siteKey(from);
    for (i = 0; i < T.search.length; i++) if (hostMatches(from, app, T.search[i][0])) return T.search[i][1];
    return false;
  }
  /* lead::attribution::signal::arrival: Tagged, Searched, Referred, Internal, Direct. */
  function arrival(url, referrer, siteHost) {
    if (tagged(url)) return 'T';
    var from = referrer == null ? null : host(referrer), here;
    if (from == null) return 'D';
    here = trim(siteHost) == '' ? host(url) || '' : siteHost;
    return siteKey(here) != '' && within(siteKey(from), siteKey(here)) ? 'I' : searched(referrer) ? 'S' : 'R';
  }
  function bounded(raw) {
    raw = trim(raw);
    if (chars(raw).length <= T.url) return raw;
    var kept = pairs(raw).filter(function (p) { return isParam(p[0]); }).map(function (p) {
      return encode(p[0]) + '=' + encode(truncate(p[1], T.click_id));
    }).join('&');
    return kept ? truncate(truncate(raw.split(/[?#]/)[0], T.url_path) + '?' + kept, T.url) : truncate(raw, T.url);
  }
  /* StoredTouches::read over JSON.parse, as the wasm read it. */
  function get(v, key) { var x = v !== null && typeof v == 'object' ? v[key] : null; return x == null ? null : x; }
  function int(v, key) { var n = get(v, key); return typeof n == 'number' && n % 1 == 0 && Math.abs(n) <= 9007199254740992 ? n : null; }
  function text(v, key) { var x = get(v, key); return typeof x == 'string' ? x : null; }
  function touch(v) { return text(v, 'url') == null ? null : { url: text(v, 'url'), referrer: text(v, 'referrer'), at: int(v, 'at') }; }
  function touches(v) {
    var n = int(v, 'visits');
    return { first: touch(get(v, 'first')), last: touch(get(v, 'last')), visits: n >= 0 && n <= 4294967295 ? n : null };
  }
  function read(json) {
    var v, t, ats;
    try { v = JSON.parse(json); } catch (e) { return null; }
    if (get(v, 'touches') != null && int(v, 'last_seen_ms') != null && int(v, 'expires_at_ms') != null)
      return { touches: touches(get(v, 'touches')), last_seen_ms: int(v, 'last_seen_ms'), expires_at_ms: int(v, 'expires_at_ms') };
    t = touches(v);
    ats = [t.first, t.last].filter(function (x) { return x && x.at != null; }).map(function (x) { return x.at; });
    /* The first widget's bare touches never expire by their own date (i64::MAX). */
    return ats.length ? { touches: t, last_seen_ms: Math.max.apply(0, ats), expires_at_ms: Infinity } : null;
  }
  function record(stored, url, referrer, siteHost, now, expiryDays) {
    var expiry = expiryDays * 864e5, came = arrival(url, referrer, siteHost), t, fresh, first;
    function here() {
      return { url: bounded(url), referrer: referrer != null && trim(referrer) != '' ? bounded(referrer) : null, at: now };
    }
    if (!stored || !stored.touches.first || !(now < Math.min(stored.expires_at_ms, stored.last_seen_ms + expiry))) {
      first = here();
      t = { first: first, last: 'TSR'.indexOf(came) >= 0 ? first : null, visits: 1 };
    } else {
      t = stored.touches;
      fresh = now - stored.last_seen_ms > T.visit_ms;
      if (fresh) t.visits = Math.min(Math.max(t.visits || 1, 1) + 1, 4294967295);
      if (came == 'T' || came == 'S' || (came == 'R' && fresh)) t.last = here();
    }
    return { touches: t, last_seen_ms: now, expires_at_ms: now + expiry };
  }

  /* --- The page view. --- */

  function storage() { try { return w.localStorage; } catch (e) { return null; } }
  function stored(key) { try { return storage().getItem(key); } catch (e) { return null; } }
  /* Once, at idle or when the wasm starts; `arrived` is the page view's own moment. */
  function view() {
    if (handover.touches !== undefined) return;
    var a = handover.config.attribution || {}, json = JSON.stringify(record(read(stored(T.touches_key)), arrived.url,
      arrived.referrer, arrived.host, arrived.at, a.expiry_days == null ? T.expiry_days : a.expiry_days));
    handover.touches = json;
    handover.written = false;
    /* Unless the site allows it, nothing is stored before the visitor uses the widget (the wasm writes then). */
    if (a.capture_before_interaction) try { storage().setItem(T.touches_key, json); handover.written = true; } catch (e) {}
  }
  /* lead::widget::dialog_locale from the configured locale, <html lang>, the browser's. */
  function spoken(tag) {
    var p = lower(trim(tag || '')).split(/[-_]/)[0];
    return T.languages.indexOf(p) >= 0 ? p : null;
  }
  function language(locale) {
    return spoken(locale) || spoken(d.documentElement.getAttribute('lang')) || spoken(navigator.language) || 'en';
  }
  /* The launcher exactly as the wasm widget keeps it: host, open shadow root, constructed sheet, aria. */
  function draw() {
    if (handover.host) return;
    var x = handover.config.widget || {}, theme = x.theme || {}, lang = language(x.locale), own = theme.launcher_label || {};
    var words = (x.strings || {})[lang] || {}, z = theme.z_index;
    var label = (lang == 'ru' ? own.ru || own.en : own.en || own.ru) || words.launcher || T.launcher[lang == 'ru' ? 'ru' : 'en'];
    var el = d.createElement('leadwire-widget'), root = el.attachShadow({ mode: 'open' }), sheet = new CSSStyleSheet();
    sheet.replaceSync(__LEADWIRE_LAUNCHER_CSS__ + ':host{--leadwire-accent-default:'
      + (/^#[0-9a-fA-F]{6}$/.test(theme.color) ? theme.color : '#1a56db') + ';--leadwire-z:'
      + (z >>> 0 === z ? z : 2147483000) + ';'
      + (theme.position == 'left' ? '--leadwire-left:20px;--leadwire-right:auto' : '--leadwire-left:auto;--leadwire-right:20px') + '}');
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = '<button class="launcher" type="button" aria-haspopup="dialog" aria-expanded="false">'
      + '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>'
      + '<span></span></button>';
    root.querySelector('span').textContent = label;
    root.querySelector('.launcher').addEventListener('click', function () { if (!live()) { q.push(['open']); wake(); } });
    d.body.appendChild(el);
    handover.host = el;
    handover.sheet = sheet;
    handover.shown = true;
  }

  /* The funnel's `shown` (lead::funnel), once per page view: sent from here when the page is hidden before the
     wasm has started; after that the wasm counts it with the rest, unless this beacon has gone already. */
  function hidden() {
    if (started || !handover.shown || !navigator.sendBeacon) return;
    view();
    var beacon = { v: 1, page: { url: location.href, referrer: d.referrer || null },
      touches: JSON.parse(handover.touches).touches, counts: [{ event: 'shown', mode: '', n: 1 }] };
    if (navigator.sendBeacon(base + 'v1/sites/' + encodeURIComponent(site) + '/events', JSON.stringify(beacon)))
      handover.shown = false;
  }

  /* --- The wasm: fetched on intent, started when needed. --- */

  function live() { return w.leadwire !== lw; }
  /* Tried in turn: Intl's first call loads locale data (about 45 ms on a slow phone), so only on intent. */
  function zone() {
    try { return w.Temporal ? Temporal.Now.timeZoneId() : Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return ''; }
  }
  /* The config; with a zone, its callback times are the visitor's (the dialog's, not the launcher's). */
  function configured(tz) {
    return fetch(base + 'v1/sites/' + encodeURIComponent(site) + '/config?' + (tz ? 'tz=' + encodeURIComponent(tz) + '&' : '')
      + 'lang=' + language(null)).then(function (r) { return r.ok ? r.json() : null; });
  }
  function load() {
    if (!loading) {
      /* Under the build's version: cached for a year, so a widget opened once opens again offline. */
      var v = '?v=' + __LEADWIRE_VERSION__, wasm = fetch(base + 'leadwire_bg.wasm' + v);
      var zoned = configured(zone())['catch'](function () { return null; });
      loading = import(base + 'leadwire.js' + v).then(function (m) {
        return Promise.all([m.default({ module_or_path: wasm }), zoned]).then(function (r) {
          /* Offline, the page view's config (callback times in the site's zone) still opens the dialog. */
          if (r[1]) handover.config = r[1];
          return m;
        });
      });
      /* A failed download (offline) is tried again at the next intent. */
      loading['catch'](function (e) { loading = null; w.console && console.warn('leadwire: widget failed to load', e); });
    }
    return loading;
  }
  function wake() {
    if (!handover.config || started) return;
    load().then(function (m) {
      if (!started) { started = true; view(); draw(); m.start(site, base, handover); }
    }, function () {});
  }
  function near(e) {
    var t = e.target;
    if (t == handover.host || (t.closest && t.closest('[data-leadwire]'))) load();
  }
  function arm(cfg) {
    var x = cfg.widget || {}, tr = x.triggers, seen;
    var o = { passive: true, capture: true };
    ['pointerover', 'focusin', 'touchstart'].forEach(function (e) { d.addEventListener(e, near, o); });
    d.addEventListener('visibilitychange', function () { if (d.hidden) hidden(); });
    w.addEventListener('pagehide', hidden);
    d.addEventListener('click', function (e) {
      var t = e.target, a;
      if (live() || !t.closest) return;
      if ((a = t.closest('[data-leadwire]'))) {
        e.preventDefault();
        q.push(['open', a.getAttribute('data-leadwire'), a.getAttribute('data-leadwire-product')]);
        wake();
      } else if (x.track_phone_clicks && (a = t.closest('a[href^="tel:"]'))) {
        /* Never blocked: the dialler opens while the wasm sends the phone_click lead. */
        q.push({ phone_click: a.getAttribute('href') });
        wake();
      }
    });
    for (var i = 0; i < q.length; i++) if (q[i][0] == 'open') return wake();
    (w.requestIdleCallback || setTimeout)(function () {
      /* Stored only if the site allows it; if not, the touch is worked out when the wasm starts, from this page
         view's own moment and the same stored touches: the same result, and nothing to do on most page views. */
      if ((cfg.attribution || {}).capture_before_interaction) view();
      var out = stored(T.outbox_key), inline = '[data-leadwire-inline]';
      if (out && out != '[]') return wake();
      if (d.querySelector(inline)) return wake();
      /* An SPA may add an inline form later: only the added elements are looked at. */
      var watch = new MutationObserver(function (changes) {
        if (started) return watch.disconnect();
        changes.forEach(function (c) {
          c.addedNodes.forEach(function (n) {
            if (n.nodeType == 1 && (n.matches(inline) || n.querySelector(inline))) { watch.disconnect(); wake(); }
          });
        });
      });
      watch.observe(d.body, { childList: true, subtree: true });
    });
    /* Triggers: started ahead of time, so the wasm's own trigger fires on time; none once the visitor's cap is
       used. The cap is read from storage when a trigger comes near, not on every page view (storage's first
       use on a page costs milliseconds). */
    if (!tr) return;
    var cap, due = function () {
      if (cap === undefined) cap = +stored(T.proactive_key) >= (tr.max_per_visitor == null ? 1 : tr.max_per_visitor);
      if (!cap) wake();
      return !cap;
    };
    if (tr.after_seconds != null) setTimeout(due, Math.max(0, tr.after_seconds * 1000 - AHEAD_MS));
    if (tr.scroll_percent != null) w.addEventListener('scroll', function () {
      var total = d.documentElement.scrollHeight;
      if (total > 0 && (w.scrollY + w.innerHeight) * 100 / total >= tr.scroll_percent / 2) due();
    }, { passive: true });
    if (tr.exit_intent) {
      /* A pointer heading for the tabs or the address bar starts the wasm; an exit before it is up is replayed. */
      d.addEventListener('mousemove', function (e) {
        if (e.clientY < 120 && e.movementY < 0) due();
      }, { passive: true });
      d.addEventListener('mouseout', function (e) {
        if (!live() && !e.relatedTarget && e.clientY <= 0 && !seen && due()) { seen = 1; q.push({ exit: 1 }); }
      });
    }
  }
  /* The config is asked for once the page has loaded and painted its first content: Lighthouse's LCP estimate
     counts every request that ends before that paint. Loaded by the deferred snippet (after the load event and
     a frame) that is at once, in this task; loaded by the plain tag, the page is looked at every 50 ms. No load
     listener or observer: either would put the page's load event or paint on the loader's account. */
  function ready(go) {
    var since = Date.now();
    (function check() {
      var painted;
      try {
        painted = performance.getEntriesByName('first-contentful-paint').length
          || PerformanceObserver.supportedEntryTypes.indexOf('paint') < 0;
      } catch (e) { painted = 1; }
      /* A background tab paints nothing until shown: after a second it is not waited for. */
      if (d.readyState == 'complete' && (painted || Date.now() - since > 1000)) go(); else setTimeout(check, 50);
    })();
  }
  arrived = { url: location.href, referrer: d.referrer || null, host: location.hostname, at: Date.now() };
  ready(function () {
    handover.t0 = performance.now();
    (preset ? Promise.resolve(preset.config) : configured('')).then(function (cfg) {
      if (!cfg) return w.console && console.warn('leadwire: this site id is not configured for this origin:', site);
      handover.config = cfg;
      arm(cfg);
      /* The launcher in a task of its own; the touch at idle (arm's idle callback). */
      setTimeout(draw);
    })['catch'](function (e) { w.console && console.warn('leadwire:', e); });
  });
})(window, document);
