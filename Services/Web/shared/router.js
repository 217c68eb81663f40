// A page's views chosen by the address's #fragment (#/name?detail). `views` maps '#/name' to the
// function that draws it; `redirect(key)` names where to go instead (key is null for an address
// with no view), or nothing to draw it; `fail` shows any error but an ended session (401), which
// api.js has already sent to the login page. Returns the function that draws the current view.
export function startRouter(views, redirect, fail) {
  const route = async () => {
    const key = location.hash.split('?')[0];
    const elsewhere = redirect(Object.hasOwn(views, key) ? key : null);
    if (elsewhere) {
      location.hash = elsewhere;
      return;
    }
    try {
      await views[key]();
    } catch (error) {
      if (error.status !== 401) fail(error);
    }
  };
  window.addEventListener('hashchange', route);
  route();
  return route;
}
