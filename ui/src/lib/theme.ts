// Theme preference: localStorage `wf_theme` = light | dark | system (default system).
// applyTheme() runs in main.tsx before the first render, so there is no flash
// and no inline script is needed (CSP: script-src 'self').

import { useSyncExternalStore } from 'react';

export type ThemePref = 'light' | 'dark' | 'system';
export const THEME_KEY = 'wf_theme';

const listeners = new Set<() => void>();
const media = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;

export function getThemePref(): ThemePref {
  try {
    const v = localStorage.getItem(THEME_KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    // storage blocked: fall through
  }
  return 'system';
}

export function resolveTheme(pref: ThemePref = getThemePref()): 'light' | 'dark' {
  if (pref === 'system') return media?.matches ? 'dark' : 'light';
  return pref;
}

export function applyTheme(): void {
  document.documentElement.classList.toggle('dark', resolveTheme() === 'dark');
}

export function setThemePref(pref: ThemePref): void {
  try {
    localStorage.setItem(THEME_KEY, pref);
  } catch {
    // ignore
  }
  applyTheme();
  listeners.forEach((l) => l());
}

/** Starts following the OS setting while the preference is "system". */
export function initTheme(): void {
  applyTheme();
  media?.addEventListener('change', () => {
    if (getThemePref() === 'system') {
      applyTheme();
      listeners.forEach((l) => l());
    }
  });
  window.addEventListener('storage', (e) => {
    if (e.key === THEME_KEY) {
      applyTheme();
      listeners.forEach((l) => l());
    }
  });
}

function subscribe(l: () => void) {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** [preference, resolved theme] kept in sync with storage and the OS. */
export function useTheme(): { pref: ThemePref; resolved: 'light' | 'dark' } {
  const pref = useSyncExternalStore(subscribe, getThemePref);
  const resolved = useSyncExternalStore(subscribe, () => resolveTheme());
  return { pref, resolved };
}
