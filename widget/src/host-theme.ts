import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Follows the host page's own light/dark setting when no `theme` is given. Docusaurus (and many
 * other sites) say it on `<html data-theme>` and change it live with their toggle, whatever the
 * system setting says; the widget mirrors it as its `host-theme` attribute, which the styles read.
 * Pages that say nothing leave the system setting (`prefers-color-scheme`) in charge.
 */
export class HostThemeController implements ReactiveController {
  private observer: MutationObserver | undefined;

  constructor(private readonly host: ReactiveControllerHost & HTMLElement) {
    host.addController(this);
  }

  hostConnected(): void {
    this.follow();
    this.observer = new MutationObserver(() => this.follow());
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
  }

  private follow(): void {
    const theme = document.documentElement.dataset['theme'];
    if (theme === 'light' || theme === 'dark') this.host.setAttribute('host-theme', theme);
    else this.host.removeAttribute('host-theme');
  }
}
