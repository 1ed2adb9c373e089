/** Fixed ports for the browser tests (Playwright waits for them); override when they are taken. */
export const E2E_DOCENT_PORT = Number(process.env.E2E_DOCENT_PORT ?? 8787);
export const E2E_SITE_PORT = Number(process.env.E2E_SITE_PORT ?? 4173);
export const E2E_SLOW_CHAT_PORT = Number(process.env.E2E_SLOW_CHAT_PORT ?? 4174);
export const E2E_MAIL_PORT = Number(process.env.E2E_MAIL_PORT ?? 4175);
export const E2E_DOCS_SITE_PORT = Number(process.env.E2E_DOCS_SITE_PORT ?? 4176);
export const E2E_DOCS_DOCENT_PORT = Number(process.env.E2E_DOCS_DOCENT_PORT ?? 8788);
