import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { Account, Selection } from '@docent/protocol';
import { AccountView } from './account-view.js';
import { renderEntry } from './answer-view.js';
import { Conversation } from './conversation.js';
import { takeConfirmationReturn, type ConfirmationReturn } from './email-confirmation.js';
import { keepTabInside } from './focus-trap.js';
import { HostThemeController } from './host-theme.js';
import { closeIcon, historyIcon, newIcon } from './icons.js';
import { isRightToLeft, stringsFor, type WidgetStrings } from './strings.js';
import { widgetStyles } from './styles.js';
import { renderEmptyState } from './suggested-questions.js';

/** What the host page can tell the widget about where the reader is. */
export interface DocentContext {
  /** Text to ask about, shown as a removable quote chip. */
  selection?: Selection | undefined;
}

/**
 * `<docent-chat server="https://docent.example.com">`: the course assistant.
 *
 * Attributes: `server` (Docent's base URL; '' = same origin), `open` (reflects whether the panel
 * shows), `theme` (`light` | `dark`; default: the page's `<html data-theme>` as Docusaurus sets it,
 * else `prefers-color-scheme`), `lang` and `dir` (default: the page's), `position` (`bottom-right` |
 * `bottom-left`; default: the inline end, mirrored on right-to-left pages), `hide-launcher` (the
 * host opens the panel with its own button through `show()`). Methods: `show()`, `hide()`, `ask(text)`, `setContext({selection})`.
 * Events (bubbling, composed): `docent:open`, `docent:close`, `docent:answer` (detail: the answer's
 * `{messageId, text, sources}`). Styling: `--docent-accent`, `--docent-font`, `--docent-radius`,
 * `--docent-offset-x`, `--docent-offset-y` (launcher distance from the corner), `--docent-z-index`.
 */
export class DocentChat extends LitElement {
  static override styles = widgetStyles;
  static override properties = {
    server: { type: String },
    open: { type: Boolean, reflect: true },
    theme: { type: String, reflect: true },
    position: { type: String, reflect: true },
    hideLauncher: { type: Boolean, reflect: true, attribute: 'hide-launcher' },
    selection: { state: true },
    view: { state: true },
    announcement: { state: true },
    notice: { state: true },
  };

  // Reactive properties are declared, not initialised as class fields: a field would shadow the
  // accessor Lit defines, and updates would not render.
  declare server: string;
  declare open: boolean;
  declare theme: 'light' | 'dark' | undefined;
  declare position: 'bottom-right' | 'bottom-left' | undefined;
  declare hideLauncher: boolean;
  /** Without a launcher, focus goes back where it was when the host opened the panel. */
  private focusBeforeOpen: HTMLElement | undefined;
  declare private selection: Selection | undefined;
  declare private view: 'chat' | 'history' | 'account';
  declare private announcement: string;
  /** A visible message above the view (after an email confirmation link), until the reader moves on. */
  declare private notice: string | undefined;
  /** Where focus goes after the next render (a selector in the shadow root). */
  private pendingFocus: string | undefined;
  private readonly conversation = new Conversation(this, '', () => this.strings, {
    onAnswer: (entry) => {
      this.announcement = this.strings.answerReady;
      this.emit('docent:answer', { messageId: entry.messageId, text: entry.content, sources: entry.sources });
    },
  });
  private readonly account = new AccountView(this, '', () => this.strings, {
    onChange: (account) => this.accountChanged(account),
    onBack: () => this.showChat('.account-button'),
    focus: (selector) => this.focusAfterUpdate(selector),
  });

  constructor() {
    super();
    this.server = '';
    this.open = false;
    this.view = 'chat';
    this.announcement = '';
    this.hideLauncher = false;
    new HostThemeController(this);
  }

  private get language(): string {
    return this.getAttribute('lang') ?? document.documentElement.lang ?? 'en';
  }

  private get strings(): WidgetStrings {
    return stringsFor(this.language);
  }

  /** Opens the panel and moves focus into it. */
  show(): void {
    if (this.open) return;
    this.focusBeforeOpen = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    this.open = true;
    void this.conversation.restore();
    this.emit('docent:open', {});
  }

  /** Closes the panel; focus returns to the launcher. */
  hide(): void {
    if (!this.open) return;
    this.open = false;
    this.view = 'chat';
    this.notice = undefined;
    this.emit('docent:close', {});
  }

  /** Opens the panel and asks `text` (with the current selection, if any). */
  async ask(text: string): Promise<void> {
    this.show();
    await this.updateComplete;
    await this.submit(text);
  }

  setContext(context: DocentContext): void {
    this.selection = context.selection;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('dir')) this.dir = document.documentElement.dir || (isRightToLeft(this.language) ? 'rtl' : 'ltr');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('server')) {
      const server = this.server.replace(/\/+$/, '');
      this.conversation.setServer(server);
      this.account.setServer(server);
    }
  }

  /**
   * Once, when the element first renders: is the reader signed in? (The account button shows it.)
   * Back from an email confirmation link, the panel opens on the account view and says so.
   */
  protected override firstUpdated(): void {
    const confirmation = takeConfirmationReturn();
    void this.account.load().then(() => {
      if (confirmation) this.welcomeBack(confirmation);
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('open')) {
      const target = this.open ? this.renderRoot.querySelector('textarea') : (this.renderRoot.querySelector('.launcher') ?? this.focusBeforeOpen);
      (target as HTMLElement | null | undefined)?.focus();
    }
    if (this.pendingFocus) {
      this.renderRoot.querySelector<HTMLElement>(this.pendingFocus)?.focus();
      this.pendingFocus = undefined;
    }
    const log = this.renderRoot.querySelector('.log[role=log]');
    if (log) log.scrollTop = log.scrollHeight;
  }

  override render(): TemplateResult | typeof nothing {
    const strings = this.strings;
    if (!this.open && this.hideLauncher) return nothing;
    if (!this.open) return html`<button class="launcher" type="button" aria-haspopup="dialog" @click=${() => this.show()}>${strings.launcher}</button>`;
    return html`<section class="panel" role="dialog" aria-modal="true" aria-labelledby="docent-title" @keydown=${this.onPanelKey}>
      <header>
        <h2 id="docent-title">${strings.title}</h2>
        <button type="button" class="icon" aria-label=${this.view === 'history' ? strings.backToChat : strings.history} title=${this.view === 'history' ? strings.backToChat : strings.history} aria-pressed=${this.view === 'history'} @click=${this.toggleHistory}>${historyIcon}</button>
        <button type="button" class="icon" aria-label=${strings.newConversation} title=${strings.newConversation} @click=${() => this.conversation.startNew()}>${newIcon}</button>
        ${this.account.renderButton(strings, this.view === 'account', () => (this.view === 'account' ? this.showChat('.account-button') : this.openAccount()))}
        <button type="button" class="icon" aria-label=${strings.close} title=${strings.close} @click=${() => this.hide()}>${closeIcon}</button>
      </header>
      ${this.notice ? html`<p class="toast" tabindex="-1">${this.notice}</p>` : nothing}
      ${this.view === 'account' ? this.account.render(strings) : html`${this.view === 'history' ? this.renderHistory(strings) : this.renderLog(strings)}${this.renderComposer(strings)}`}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    </section>`;
  }

  private renderLog(strings: WidgetStrings): TemplateResult {
    const entries = this.conversation.entries;
    // Focusable so keyboard users can scroll a long conversation.
    return html`<div class="log" role="log" tabindex="0" aria-label=${strings.title}>
      ${entries.length === 0 ? renderEmptyState(strings, (question) => void this.submit(question)) : entries.map((entry) => renderEntry(entry, strings, this.conversation))}
    </div>`;
  }

  private renderHistory(strings: WidgetStrings): TemplateResult {
    const threads = this.conversation.threads ?? [];
    return html`<div class="log">
      ${threads.length === 0 ? html`<p class="empty">${strings.noHistory}</p>` : nothing}
      <ul class="history">
        ${threads.map((thread) => html`<li><button type="button" @click=${() => this.reopen(thread.id)}>${thread.title}</button></li>`)}
      </ul>
    </div>`;
  }

  private renderComposer(strings: WidgetStrings): TemplateResult {
    const busy = this.conversation.busy;
    return html`<form @submit=${this.onSubmit}>
      ${this.selection
        ? html`<div class="chip"><span title=${strings.selectionLabel}>“${this.selection.text}”</span>
            <button type="button" class="icon" aria-label=${strings.removeSelection} title=${strings.removeSelection} @click=${() => (this.selection = undefined)}>${closeIcon}</button></div>`
        : nothing}
      <div class="row">
        <textarea rows="1" aria-label=${strings.placeholder} placeholder=${strings.placeholder} maxlength="4000" @keydown=${this.onComposerKey}></textarea>
        ${busy
          ? html`<button type="button" class="send" @click=${() => this.conversation.stop()}>${strings.stop}</button>`
          : html`<button type="submit" class="send">${strings.send}</button>`}
      </div>
    </form>`;
  }

  private readonly onSubmit = (event: Event): void => {
    event.preventDefault();
    const textarea = this.renderRoot.querySelector('textarea');
    if (!textarea || textarea.value.trim() === '') return;
    const text = textarea.value.trim();
    textarea.value = '';
    void this.submit(text);
  };

  private async submit(text: string): Promise<void> {
    const selection = this.selection;
    this.selection = undefined;
    this.view = 'chat';
    this.announcement = '';
    await this.conversation.ask(text, selection, window.location.href);
  }

  /** Enter sends, Shift+Enter starts a new line. */
  private readonly onComposerKey = (event: KeyboardEvent): void => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (!this.conversation.busy) this.renderRoot.querySelector('form')?.requestSubmit();
    }
  };

  /** Esc closes; Tab stays inside the open panel. */
  private readonly onPanelKey = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.hide();
    } else keepTabInside(event, this.renderRoot as ShadowRoot);
  };

  private readonly toggleHistory = (): void => {
    this.view = this.view === 'history' ? 'chat' : 'history';
    if (this.view === 'history') void this.conversation.loadThreads();
  };

  private openAccount(): void {
    this.view = 'account';
    this.account.enter();
  }

  /** The reader followed an email confirmation link and is back on the page: say where they stand. */
  private welcomeBack(confirmation: ConfirmationReturn): void {
    const account = this.account.account;
    this.notice = confirmation === 'failed' ? this.strings.confirmationFailed : account ? this.strings.signedIn(account.name) : this.strings.emailConfirmed;
    this.show();
    this.openAccount();
    this.focusAfterUpdate('.toast');
  }

  private showChat(focus: string): void {
    this.view = 'chat';
    this.notice = undefined;
    this.focusAfterUpdate(focus);
  }

  /**
   * Signing in or out changes whose conversations these are: start afresh (and forget the stored
   * thread, so the next reader on a shared computer does not see it) and reload the earlier ones.
   */
  private accountChanged(account: Account | null): void {
    this.conversation.startNew();
    void this.conversation.loadThreads();
    this.announcement = account ? this.strings.signedIn(account.name) : this.strings.signedOut;
    this.showChat(account ? 'textarea' : '.account-button');
  }

  private focusAfterUpdate(selector: string): void {
    this.pendingFocus = selector;
    this.requestUpdate();
  }

  private async reopen(threadId: string): Promise<void> {
    await this.conversation.open(threadId);
    this.view = 'chat';
  }

  private emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}
