/**
 * Browser mode's token, carried in memory only. Kiln prints `http://127.0.0.1:PORT/#token=…`: a fragment never
 * travels to any server (not in requests, not in a Referer), and nothing stores it in a cookie — cookies are
 * shared by every port of 127.0.0.1, so another local server would receive them. The page reads the token
 * once at start and removes it from the address bar (and so from history and bookmarks); a screen name in
 * the fragment (`#doctor&token=…`) stays. `?token=` in the query is still read, and removed the same way.
 */

export interface TokenLocation {
  pathname: string;
  search: string;
  hash: string;
}

/** Splits the token out of a URL's query and fragment; `rest` is the URL's path, query and fragment without it. */
export function splitToken(loc: TokenLocation): { token: string; rest: string } {
  let token = '';
  const hashParts = loc.hash.replace(/^#/, '').split('&').filter(Boolean);
  const keptHash = hashParts.filter((part) => {
    if (!part.startsWith('token=')) return true;
    token = decodeURIComponent(part.slice('token='.length));
    return false;
  });
  const query = new URLSearchParams(loc.search);
  const fromQuery = query.get('token');
  if (fromQuery !== null) {
    if (!token) token = fromQuery;
    query.delete('token');
  }
  const search = query.toString();
  const rest = `${loc.pathname}${search ? `?${search}` : ''}${keptHash.length ? `#${keptHash.join('&')}` : ''}`;
  return { token, rest };
}

/** Reads the token from this page's URL and rewrites the address bar without it (no reload, no history entry). */
export function takePageToken(win: Pick<Window, 'location' | 'history'>): string {
  const { token, rest } = splitToken(win.location);
  if (token) win.history.replaceState(win.history.state, '', rest);
  return token;
}
