// Stand-in for https://challenges.cloudflare.com/turnstile/v0/api.js, for the
// end-to-end tests (tests/src/turnstile.rs has the siteverify half). It keeps
// the documented explicit-render API: turnstile.render(element, {sitekey,
// action, callback, 'error-callback', 'expired-callback', …}) returns a widget
// id; reset(id) runs the challenge again; getResponse(id) gives the token; and
// every challenge passes at once with the dummy token Cloudflare's test
// sitekeys hand out. The box it draws carries its options, for the test to read.
(function () {
  'use strict';
  var DUMMY_TOKEN = 'XXXX.DUMMY.TOKEN.XXXX';
  var widgets = [];

  function issue(id) {
    var w = widgets[id];
    if (!w) return;
    setTimeout(function () {
      w.token = DUMMY_TOKEN;
      w.box.setAttribute('data-state', 'solved');
      if (typeof w.options.callback === 'function') w.options.callback(DUMMY_TOKEN);
    }, 50);
  }

  window.turnstile = {
    render: function (element, options) {
      var box = document.createElement('div');
      box.className = 'cf-turnstile-stand-in';
      box.setAttribute('data-sitekey', options.sitekey || '');
      box.setAttribute('data-action', options.action || '');
      box.setAttribute('data-appearance', options.appearance || '');
      box.setAttribute('data-state', 'running');
      box.textContent = 'Turnstile stand-in';
      element.appendChild(box);
      var id = String(widgets.length);
      widgets.push({ options: options, box: box, token: undefined });
      issue(id);
      return id;
    },
    reset: function (id) {
      var w = widgets[id];
      if (!w) return;
      w.token = undefined;
      w.box.setAttribute('data-state', 'running');
      issue(id);
    },
    getResponse: function (id) {
      var w = widgets[id];
      return w ? w.token : undefined;
    },
    remove: function (id) {
      var w = widgets[id];
      if (w && w.box.parentNode) w.box.parentNode.removeChild(w.box);
      widgets[id] = undefined;
    },
    execute: function (id) {
      issue(id);
    },
  };
})();
