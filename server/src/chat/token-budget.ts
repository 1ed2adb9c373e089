import { createHmac } from 'node:crypto';
import type { HistoryStore, Owner } from './history-store.js';

export type BudgetCheck = { available: true } | { available: false; limit: number; renewsAt: Date };

/** Who is asking, as the budget sees it: the history's owner and the address (its rate-limit key) the question comes from. */
export interface BudgetedAsker {
  owner: Owner;
  address: string;
}

/**
 * An optional cap on the LLM tokens one reader's answers may use per UTC day (DAILY_TOKEN_BUDGET),
 * checked before an answer is generated. Counted from the stored answers, so it holds across
 * instances and restarts. An answer in progress may finish past the cap; the next one is refused.
 *
 * An account is budgeted per account. An anonymous visitor is budgeted per visitor cookie and per
 * address, refused when either is spent: dropping the cookie would otherwise buy a fresh budget.
 * The address is stored with each anonymous answer as an HMAC keyed with SECRET_KEY, never as
 * itself, and a plain hash would not do: every IPv4 address can be hashed in minutes.
 */
export class DailyTokenBudget {
  constructor(
    private readonly history: HistoryStore,
    private readonly tokensPerDay: number,
    private readonly secretKey: string,
  ) {}

  async check(asker: BudgetedAsker, now = new Date()): Promise<BudgetCheck> {
    const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    const used = await Promise.all([
      this.history.tokensUsedSince(asker.owner, dayStart),
      ...(asker.owner.kind === 'visitor' ? [this.history.tokensUsedFromAddressSince(this.addressHash(asker.address), dayStart)] : []),
    ]);
    if (Math.max(...used) < this.tokensPerDay) return { available: true };
    return { available: false, limit: this.tokensPerDay, renewsAt: new Date(dayStart.getTime() + 24 * 60 * 60 * 1000) };
  }

  /** Once an anonymous visitor's answer exists, its tokens count against their address too. */
  async recordAnswer(asker: BudgetedAsker, answerId: string): Promise<void> {
    if (asker.owner.kind === 'visitor') await this.history.recordAnswerAddress(answerId, this.addressHash(asker.address));
  }

  private addressHash(address: string): string {
    // The purpose in the message keeps this hash from matching any other use of the key.
    return createHmac('sha256', this.secretKey).update(`daily-token-budget address ${address}`).digest('hex');
  }
}
