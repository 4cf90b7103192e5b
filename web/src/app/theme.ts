/** Dark and light themes: `system` follows the browser; the choice is kept in localStorage. */
export type Theme = 'system' | 'light' | 'dark';

export function storedTheme(): Theme {
  const t = localStorage.getItem('sightline.theme');
  return t === 'light' || t === 'dark' ? t : 'system';
}

export function applyTheme(theme: Theme): void {
  if (theme === 'system') document.documentElement.removeAttribute('data-theme');
  else document.documentElement.setAttribute('data-theme', theme);
  localStorage.setItem('sightline.theme', theme);
}
