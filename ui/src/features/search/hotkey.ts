const mac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

/** How the search key reads on this machine. */
export const searchHotkey = mac ? '⌘K' : 'Ctrl K';
export const searchAriaKeys = mac ? 'Meta+K' : 'Control+K';
