// Smooth weighted round-robin, as the server runs it (src/assignment/pick.rs),
// from a fresh start: every pick, each member's credit grows by weight / total;
// the highest credit wins (ties go to the earlier member) and pays one.
// Round-robin is the same with every weight 1.

export interface Slot {
  member_id: string;
  weight: number;
}

export function previewPicks(slots: readonly Slot[], count: number): string[] {
  if (slots.length === 0) return [];
  const weights = slots.map((s) => (Number.isFinite(s.weight) ? Math.min(100, Math.max(1, Math.round(s.weight))) : 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const credit = slots.map(() => 0);
  const out: string[] = [];
  for (let n = 0; n < count; n++) {
    let best = -1;
    for (let i = 0; i < slots.length; i++) {
      credit[i] += weights[i] / total;
      if (best < 0 || credit[i] > credit[best] + 1e-9) best = i;
    }
    credit[best] -= 1;
    out.push(slots[best].member_id);
  }
  return out;
}
