// Runs the built loader (argv[2]) once per case (stdin: JSON) in a fresh
// context with a stand-in browser, and prints what it stored under the
// touches key (null: nothing written). The DOM is a permissive stub: drawing the
// launcher is not under test here.
const vm = require('vm');
const fs = require('fs');
const loader = fs.readFileSync(process.argv[2], 'utf8');
const cases = JSON.parse(fs.readFileSync(0, 'utf8'));
const KEY = 'leadwire:touches';

const any = new Proxy(function () {}, {
  get: (_, key) => (key === 'then' || key === Symbol.toPrimitive ? undefined : any),
  apply: () => any,
  construct: () => any,
  set: () => true,
});

async function run(c) {
  const store = new Map(c.stored == null ? [] : [[KEY, c.stored]]);
  let written = null;
  const config = { site: 'demo', attribution: { capture_before_interaction: c.capture, expiry_days: c.expiry_days }, widget: {} };
  const sandbox = {
    console: { warn() {} },
    TextEncoder, TextDecoder,
    performance: { now: () => 0 },
    fetch: () => Promise.resolve({ ok: true, json: () => Promise.resolve(config) }),
    location: { href: c.url, hostname: c.host },
    navigator: { language: 'en' },
    localStorage: { getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => { if (k === KEY) written = String(v); } },
    // The touch is recorded at idle: idle callbacks and timers run at once.
    requestIdleCallback: (f) => setImmediate(f), setTimeout: (f) => setImmediate(f), clearTimeout() {},
    addEventListener() {},
    MutationObserver: any, CSSStyleSheet: any,
    document: {
      currentScript: { src: 'https://collector.example/w.js', getAttribute: () => 'demo' },
      referrer: c.referrer == null ? '' : c.referrer,
      readyState: 'complete',
      createElement: () => any, body: any, addEventListener() {}, querySelector: () => null,
      documentElement: { getAttribute: () => null },
    },
  };
  sandbox.window = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(`Date.now = () => ${JSON.stringify(c.now)};`, sandbox);
  vm.runInContext(loader, sandbox);
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
  return written;
}

(async () => {
  const out = [];
  for (const c of cases) out.push(await run(c));
  process.stdout.write(JSON.stringify(out));
})();
