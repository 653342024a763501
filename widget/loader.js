/* Leadwire loader: the only script on the page's critical path. It keeps
   calls made before the widget is ready (window.leadwire command queue), then,
   after the page has loaded and the browser is idle, imports the wasm widget
   from the same origin as this script and hands the queue over. */
(function (w, d) {
  var s = d.currentScript, base = s.src.replace(/[^\/?#]*([?#].*)?$/, ''), site = s.getAttribute('data-site');
  var lw = w.leadwire = w.leadwire || function () { (lw.q = lw.q || []).push(arguments); };
  function boot() {
    /* The wasm downloads (and compiles, streaming) while the glue is imported. */
    var wasm = fetch(base + 'leadwire_bg.wasm');
    import(base + 'leadwire.js').then(function (m) {
      return m.default({ module_or_path: wasm }).then(function () { m.start(site, base, lw.q || []); });
    })['catch'](function (e) { w.console && console.warn('leadwire: widget failed to load', e); });
  }
  function idle() { (w.requestIdleCallback || setTimeout)(boot); }
  d.readyState == 'complete' ? idle() : w.addEventListener('load', idle);
})(window, document);
