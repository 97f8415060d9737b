/** The Facebook "f" (lucide has no brand icons). */
export function FacebookIcon({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 24 24" fill="currentColor" aria-hidden className={className}>
      <path d="M14 8.5V6.8c0-.8.5-1.3 1.4-1.3H17V2.2A21 21 0 0 0 14.6 2C12.1 2 10.5 3.6 10.5 6.3v2.2H8v3.7h2.5V22h3.6v-9.8h2.7l.4-3.7H14z" />
    </svg>
  );
}
