/**
 * Moving to another screen from inside one (a failure card's "Open the Doctor"): the screen id goes into the URL
 * hash, which App follows (it already starts on the hash's screen), so a screen never reaches into the shell.
 * With `anchor`, the element of that id on the new screen is scrolled into view and its first button focused, once
 * the screen has rendered it.
 */
export function showScreen(id: string, anchor?: string): void {
  if (typeof location === 'undefined') return;
  location.hash = id;
  if (!anchor) return;
  const until = Date.now() + 5000;
  const reveal = (): void => {
    const el = document.getElementById(anchor);
    if (!el) {
      if (Date.now() < until) setTimeout(reveal, 50);
      return;
    }
    el.scrollIntoView?.({ block: 'start', behavior: 'smooth' });
    el.querySelector<HTMLElement>('button:not(:disabled)')?.focus({ preventScroll: true });
  };
  setTimeout(reveal, 0);
}
