/** The console as a page object: tests find things by role and label, as a user does. */
import type { Page } from 'playwright-core';

export class ConsolePage {
  constructor(
    readonly page: Page,
    readonly base: string,
  ) {}

  async open(hash = ''): Promise<void> {
    await this.page.goto(`${this.base}/console/${hash}`);
  }

  async signIn(username: string, password: string): Promise<void> {
    await this.page.getByLabel(/Tên đăng nhập|Username/).fill(username);
    await this.page.getByLabel(/Mật khẩu|Password/).fill(password);
    await this.page.getByRole('button', { name: /^(Đăng nhập|Sign in)$/ }).click();
    await this.page.getByRole('navigation').waitFor();
  }

  nav(name: RegExp) {
    return this.page.getByRole('navigation').getByRole('link', { name });
  }

  /** The inbox's rows (each carries data-alert-id). */
  alertRows() {
    return this.page.locator('.alert-list li[data-alert-id]');
  }

  alertRow(id: string) {
    return this.page.locator(`.alert-list li[data-alert-id="${id}"]`);
  }

  detail() {
    return this.page.locator('article.alert-detail');
  }

  action(name: RegExp) {
    return this.detail().getByRole('button', { name });
  }

  map() {
    return this.page.getByRole('region', { name: /Bản đồ thành phố|City map/ });
  }
}
