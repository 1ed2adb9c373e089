import { html, nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Account, ReaderProfile } from '@docent/protocol';
import { AccountClient, type SignUpDetails } from './account-client.js';
import { ChatFailure } from './chat-client.js';
import { accountIcon } from './icons.js';
import type { AccountField, WidgetStrings } from './strings.js';

export interface AccountEvents {
  /** The reader signed in or out: the conversations they may see have changed. */
  onChange(account: Account | null): void;
  /** Leave the account view (its Back control). */
  onBack(): void;
  /** Focus the element matching `selector` once the panel has rendered. */
  focus(selector: string): void;
}

type Mode = 'sign-in' | 'sign-up' | 'reset';
interface Problem {
  message: string;
  requestId?: string;
  field?: AccountField;
}

const ERROR_ID = 'docent-account-error';
const HINT_ID = 'docent-password-hint';
const FIRST = '.account [data-first]';
/** Server error codes that are about one field: the message is tied to that field. */
const FIELD_OF_CODE: Record<string, AccountField> = { invalid_credentials: 'password', account_exists: 'email', email_not_verified: 'email' };

/**
 * The account view inside the panel: sign in, create an account (with the optional profile
 * questionnaire), ask for a password reset link, or — signed in — see who you are and sign out.
 * Holds who is signed in (`account`: undefined until the server has said).
 */
export class AccountView {
  account: Account | null | undefined;
  private mode: Mode = 'sign-in';
  private busy = false;
  private problem: Problem | undefined;
  /** Replaces the form once it did its job ("check your inbox"). */
  private done: string | undefined;
  private email = '';
  private client: AccountClient;

  constructor(
    private readonly host: ReactiveControllerHost,
    serverUrl: string,
    private readonly strings: () => WidgetStrings,
    private readonly events: AccountEvents,
  ) {
    this.client = this.clientFor(serverUrl);
  }

  setServer(serverUrl: string): void {
    this.client = this.clientFor(serverUrl);
  }

  /** Asks the server who the reader is; an unreachable server leaves them anonymous. */
  async load(): Promise<void> {
    this.account = await this.client.me().catch(() => null);
    this.host.requestUpdate();
  }

  /** Shows the view afresh, focus on its first control. */
  enter(): void {
    this.show('sign-in');
  }

  /** The header's account button: "Sign in", or the signed-in reader's initial. */
  renderButton(strings: WidgetStrings, expanded: boolean, onClick: () => void): TemplateResult {
    const account = this.account;
    const label = account ? strings.account : strings.signIn;
    const initial = account ? [...account.name.trim()][0]?.toUpperCase() : undefined;
    return html`<button type="button" class="icon account-button" aria-label=${label} title=${account ? strings.signedInAs(account.name) : label} aria-expanded=${expanded} @click=${onClick}>
      ${initial ? html`<span class="initial" aria-hidden="true">${initial}</span>` : accountIcon}
    </button>`;
  }

  /** The view itself, in place of the conversation. */
  render(strings: WidgetStrings): TemplateResult {
    return html`<div class="log account" aria-busy=${this.busy}>
      <button type="button" class="link" @click=${() => this.events.onBack()}>${strings.backToChat}</button>
      ${this.account ? this.renderSignedIn(this.account, strings) : this.renderSignedOut(strings)}
    </div>`;
  }

  private renderSignedIn(account: Account, strings: WidgetStrings): TemplateResult {
    return html`<h3>${strings.signedInAs(account.name)}</h3>
      <p>${account.email}</p>
      ${this.renderProblem()}
      <button type="button" class="primary" data-first aria-disabled=${this.busy} @click=${this.signOut}>${strings.signOut}</button>`;
  }

  private renderSignedOut(strings: WidgetStrings): TemplateResult {
    const tab = (mode: 'sign-in' | 'sign-up', label: string) => {
      const selected = this.mode === mode || (mode === 'sign-in' && this.mode === 'reset');
      return html`<button type="button" role="tab" id="docent-tab-${mode}" aria-selected=${selected} aria-controls="docent-account-panel" tabindex=${selected ? 0 : -1}
        @click=${() => this.show(mode, `#docent-tab-${mode}`)}>${label}</button>`;
    };
    return html`<div role="tablist" aria-label=${strings.account} @keydown=${this.onTabKey}>${tab('sign-in', strings.signIn)}${tab('sign-up', strings.createAccount)}</div>
      <div role="tabpanel" id="docent-account-panel" aria-labelledby="docent-tab-${this.mode === 'sign-up' ? 'sign-up' : 'sign-in'}">
        ${this.done
          ? html`<p class="done" role="status" tabindex="-1" data-first>${this.done}</p>
              <button type="button" class="link" @click=${() => this.show('sign-in')}>${strings.backToSignIn}</button>`
          : this.renderForm(strings)}
      </div>`;
  }

  private renderForm(strings: WidgetStrings): TemplateResult {
    const submit = (label: string) => html`${this.renderProblem()}<button type="submit" class="primary" aria-disabled=${this.busy}>${label}</button>`;
    const email = this.input('email', 'email', 'email', strings.email, 254, this.mode !== 'sign-up');
    if (this.mode === 'reset') {
      return html`<form novalidate @submit=${this.onSubmit}>
        <p>${strings.resetIntro}</p>
        ${email}${submit(strings.sendResetLink)}
        <button type="button" class="link" @click=${() => this.show('sign-in')}>${strings.backToSignIn}</button>
      </form>`;
    }
    if (this.mode === 'sign-in') {
      return html`<form novalidate @submit=${this.onSubmit}>
        ${email}${this.input('password', 'password', 'current-password', strings.password, 128)}
        ${submit(strings.signIn)}
        <button type="button" class="link" @click=${this.forgotPassword}>${strings.forgotPassword}</button>
      </form>`;
    }
    const choice = (name: string, label: string, levels: Record<string, string>) => html`<label>${label}<select name=${name}>
        <option value="">${strings.notSaying}</option>
        ${Object.entries(levels).map(([value, text]) => html`<option value=${value}>${text}</option>`)}
      </select></label>`;
    return html`<form novalidate @submit=${this.onSubmit}>
      ${this.input('name', 'text', 'name', strings.name, 100, true)}${email}
      ${this.input('password', 'password', 'new-password', strings.password, 128)}
      <small id=${HINT_ID}>${strings.passwordHint}</small>
      <details>
        <summary>${strings.aboutYou}</summary>
        ${choice('software_experience', strings.softwareExperience, strings.softwareLevels)}
        ${choice('hardware_experience', strings.hardwareExperience, strings.hardwareLevels)}
        <label>${strings.learningGoal}<textarea name="learning_goal" rows="2" maxlength="500"></textarea></label>
      </details>
      ${submit(strings.createAccount)}
    </form>`;
  }

  /** A labelled field; a problem with it is announced (role=alert) and tied to it. */
  private input(field: AccountField, type: string, autocomplete: string, label: string, maxLength: number, first = false): TemplateResult {
    const invalid = this.problem?.field === field;
    const describedBy = [autocomplete === 'new-password' ? HINT_ID : '', invalid ? ERROR_ID : ''].join(' ').trim();
    return html`<label>${label}<input name=${field} type=${type} autocomplete=${autocomplete} required maxlength=${maxLength} dir=${type === 'text' ? 'auto' : 'ltr'}
      .value=${field === 'email' ? this.email : ''} ?data-first=${first} aria-invalid=${invalid} aria-describedby=${describedBy || nothing} /></label>`;
  }

  private renderProblem(): TemplateResult | typeof nothing {
    const problem = this.problem;
    if (!problem) return nothing;
    return html`<p id=${ERROR_ID} class="error" role="alert">${problem.requestId ? this.strings().errorWithId(problem.message, problem.requestId) : problem.message}</p>`;
  }

  private show(mode: Mode, focus = FIRST): void {
    this.mode = mode;
    this.problem = undefined;
    this.done = undefined;
    this.host.requestUpdate();
    this.events.focus(focus);
  }

  /** Arrow keys move between the two tabs (the ARIA tabs pattern; Tab leaves the tab list). */
  private readonly onTabKey = (event: KeyboardEvent): void => {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
    event.preventDefault();
    const next = event.key === 'Home' ? 'sign-in' : event.key === 'End' || this.mode !== 'sign-up' ? 'sign-up' : 'sign-in';
    this.show(next, `#docent-tab-${next}`);
  };

  private readonly forgotPassword = (event: Event): void => {
    this.email = (event.currentTarget as HTMLElement).closest('form')?.querySelector<HTMLInputElement>('input[name=email]')?.value.trim() ?? '';
    this.show('reset');
  };

  private readonly onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    if (this.busy) return;
    const form = event.currentTarget as HTMLFormElement;
    const invalid = [...form.querySelectorAll('input')].find(
      (input) => !input.checkValidity() || input.value.trim() === '' || (input.autocomplete === 'new-password' && input.value.length < 8),
    );
    if (invalid) {
      const field = invalid.name as AccountField;
      this.fail({ message: this.strings().fieldProblem[field], field }, `.account input[name=${field}]`);
      return;
    }
    const values = Object.fromEntries(new FormData(form)) as Record<string, string>;
    const email = (this.email = (values.email ?? '').trim());
    const password = values.password ?? '';
    const returnUrl = window.location.href;
    if (this.mode === 'reset') void this.run(() => this.requestReset(email, returnUrl));
    else if (this.mode === 'sign-in') void this.run(() => this.signIn(email, password, returnUrl));
    else void this.run(() => this.signUp({ name: (values.name ?? '').trim(), email, password, ...profileOf(values) }, returnUrl));
  };

  private async requestReset(email: string, returnUrl: string): Promise<string> {
    await this.client.requestPasswordReset(email, returnUrl);
    return this.strings().resetSent(email);
  }

  private async signIn(email: string, password: string, returnUrl: string): Promise<void> {
    await this.client.signIn(email, password, returnUrl);
    const account = await this.client.me();
    if (!account) throw new ChatFailure(this.strings().cookieBlocked, '', 'cookie_blocked');
    this.changeAccount(account);
  }

  private async signUp(details: SignUpDetails, returnUrl: string): Promise<string | undefined> {
    await this.client.signUp(details, returnUrl);
    // A server that does not ask for confirmation has signed the new reader in already.
    const account = await this.client.me().catch(() => null);
    if (!account) return this.strings().checkInbox(details.email);
    this.changeAccount(account);
    return undefined;
  }

  private readonly signOut = (): void => {
    if (!this.busy) void this.run(() => this.client.signOut().then(() => this.changeAccount(null)));
  };

  private changeAccount(account: Account | null): void {
    this.account = account;
    this.events.onChange(account);
  }

  /** Runs one request: busy meanwhile, then the confirmation text it returns (if any) or the problem. */
  private async run(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.problem = undefined;
    this.host.requestUpdate();
    try {
      const result = await work();
      const done = typeof result === 'string' ? result : undefined;
      this.busy = false;
      this.done = done;
      this.host.requestUpdate();
      if (done) this.events.focus('.account .done');
    } catch (error) {
      this.busy = false;
      const failure = error instanceof ChatFailure ? error : new ChatFailure(this.strings().offline, '', 'unknown');
      const field = FIELD_OF_CODE[failure.code];
      const message = failure.code === 'email_not_verified' ? this.strings().confirmFirst(this.email) : failure.message;
      this.fail({ message, requestId: failure.requestId, field });
    }
  }

  private fail(problem: Problem, focus?: string): void {
    this.problem = problem;
    this.host.requestUpdate();
    if (focus) this.events.focus(focus);
  }

  private clientFor(serverUrl: string): AccountClient {
    return new AccountClient(serverUrl, () => this.strings().offline);
  }
}

/** The questionnaire's answers, leaving out what the reader skipped. */
function profileOf(values: Record<string, string>): { profile?: ReaderProfile } {
  const profile = Object.fromEntries(['software_experience', 'hardware_experience', 'learning_goal'].map((key) => [key, values[key]?.trim()]).filter(([, value]) => value)) as ReaderProfile;
  return Object.keys(profile).length > 0 ? { profile } : {};
}
