import type { HistoryStore, Owner } from './history-store.js';

export type BudgetCheck = { available: true } | { available: false; limit: number; renewsAt: Date };

/**
 * An optional cap on the LLM tokens one reader's answers may use per UTC day (DAILY_TOKEN_BUDGET),
 * checked before an answer is generated. Counted from the stored answers, so it holds across
 * instances and restarts. An answer in progress may finish past the cap; the next one is refused.
 */
export class DailyTokenBudget {
  constructor(
    private readonly history: HistoryStore,
    private readonly tokensPerDay: number,
  ) {}

  async check(owner: Owner, now = new Date()): Promise<BudgetCheck> {
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const used = await this.history.tokensUsedSince(owner, dayStart);
    if (used < this.tokensPerDay) return { available: true };
    return { available: false, limit: this.tokensPerDay, renewsAt: new Date(dayStart.getTime() + 24 * 60 * 60 * 1000) };
  }
}
