import type { ReaderProfile } from '@docent/protocol';
import { eq, sql } from 'drizzle-orm';
import type { DocentDb } from '../db/database.js';
import { users } from '../db/schema.js';

/** Readers' questionnaire answers, stored on their user row. */
export class ProfileStore {
  constructor(private readonly db: DocentDb) {}

  /** Replaces the reader's profile; fields left out are cleared. */
  async replace(userId: string, profile: ReaderProfile): Promise<ReaderProfile> {
    await this.db.update(users).set({ profile, updatedAt: sql`now()` }).where(eq(users.id, userId));
    return profile;
  }
}
