// A tiny single-page app: links change the view with history.pushState, as
// React or Vue routers do. The widget notices route changes by itself.
(function () {
  var views = {
    '/': '<h1>Catalogue</h1><p>Pick a category above.</p>',
    doors: '<h1>Doors</h1>' + new Array(40).join('<p>Entrance and interior doors, made to measure and fitted by our own team.</p>')
  };
  function show(route) { document.getElementById('view').innerHTML = views[route] || views['/']; }
  document.addEventListener('click', function (e) {
    var link = e.target.closest('a[data-route]');
    if (!link) return;
    e.preventDefault();
    history.pushState({ route: link.dataset.route }, '', link.href);
    show(link.dataset.route);
  });
  window.addEventListener('popstate', function (e) { show((e.state && e.state.route) || '/'); });
  show(new URLSearchParams(location.search).get('route') || '/');
})();
