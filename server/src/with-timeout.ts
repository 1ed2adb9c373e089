/**
 * `work`, or a rejection with `message` once `timeoutMs` has passed, whichever comes first. The
 * work itself is not cancelled: use it where the caller must not wait, and the work is harmless
 * to let finish (a health probe, a search whose answer is no longer needed).
 */
export async function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
