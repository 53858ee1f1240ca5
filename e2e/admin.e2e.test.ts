/**
 * The console's administration view end to end, in headless Chromium against a real IOC: the admin
 * finds a district in the org tree without diacritics and adds, renames and retires a unit below it; creates a district operator with the form
 * (a refused password is named by its field); creates a service account (a taken username is named
 * by its field) and issues it an API key, shown once; finds the creations in the audit log and
 * verifies the chain. The new operator sees only delegations; an analyst sees no administration.
 * Screenshots go to test-artifacts/console-admin-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { api, eventually, startTestIoc, type TestIoc } from '../packages/server/test/support/ioc.ts';
import { TEST_ADMIN_PASSWORD } from '../packages/server/test/support/test-app.ts';
import { buildConsole } from '../scripts/build-console.mjs';
import { browserSkip, launchChromium, pageErrors, screenshot } from './browser.ts';
import { ConsolePage } from './console.page.ts';

const skip = browserSkip();
const OPERATOR = { username: 'lc.operator', displayName: 'Điều hành viên Liên Chiểu', password: 'Sóng-biển-Liên-Chiểu-2026!' };
const GATEWAY = { username: 'lc.gateway', displayName: 'Cổng dữ liệu Liên Chiểu' };
const ANALYST = { username: 'city.analyst', password: 'Phân-tích-dữ-liệu-2026!' };
const UUID = /#\/admin\/users\/([0-9a-f-]{36})$/;

/** Errors the page may log on purpose: the session probe before sign-in answers 401; a refused form answers 409. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of (401|409)/.test(e));

describe('console administration in Chromium', { skip, timeout: 180_000 }, () => {
  let ioc: TestIoc;
  let base: string;
  let browser: Browser;
  let admin: BrowserContext;

  before(async () => {
    buildConsole({ quiet: true });
    ioc = await startTestIoc();
    base = ioc.httpUrl;
    const r = await api(base, '/api/v1/users', { body: { username: ANALYST.username, displayName: 'Chuyên viên phân tích', unitCode: '48', password: ANALYST.password, assignments: [{ role: 'analyst', unitCode: '48', sector: null }] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    browser = await launchChromium();
    admin = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN', timezoneId: 'Europe/Paris' });
  });

  after(async () => {
    await browser?.close();
    await ioc?.stop();
  });

  it('finds a district in the org tree without diacritics, and creates a district operator with the form', async () => {
    const p = new ConsolePage(await admin.newPage(), base);
    const errors = pageErrors(p.page);
    await p.open('#/overview');
    await p.signIn('admin', TEST_ADMIN_PASSWORD);
    await p.nav(/^Quản trị$/).click();
    await p.page.waitForURL('**/console/#/admin');
    const tabs = p.page.getByRole('group', { name: 'Các mục quản trị' });
    await tabs.waitFor();
    assert.deepEqual(await tabs.getByRole('link').allTextContents(), ['Cây tổ chức', 'Người dùng', 'Ủy quyền', 'Nhật ký kiểm toán']);

    // The org tree: "lien chieu" finds Quận Liên Chiểu, under the city.
    await p.page.getByLabel(/^Tìm đơn vị/).fill('lien chieu');
    const district = p.page.locator('.org-tree li[data-unit-code="490"]');
    await district.getByText('Quận Liên Chiểu').waitFor();
    assert.deepEqual(await p.page.locator('.org-tree li[data-unit-code]').evaluateAll((li) => li.map((l) => l.getAttribute('data-unit-code'))), ['48', '490']);
    await district.getByText('Quận / huyện').waitFor();
    await screenshot(p.page, 'console-admin-org-tree');

    // A new user: a password the policy refuses is named by its field, then the user is created.
    await tabs.getByRole('link', { name: 'Người dùng' }).click();
    await p.page.getByRole('link', { name: 'Người dùng mới' }).click();
    const form = p.page.getByRole('form', { name: 'Người dùng mới' });
    await form.getByLabel('Tên đăng nhập').fill(OPERATOR.username);
    await form.getByLabel('Họ tên hiển thị').fill(OPERATOR.displayName);
    await form.getByLabel('Đơn vị chủ quản').selectOption('490');
    await form.getByLabel('Mật khẩu ban đầu').fill('short');
    const role = form.getByRole('group', { name: 'Vai trò 1' });
    await role.getByRole('combobox', { name: 'Vai trò', exact: true }).selectOption('oc_operator');
    await role.getByLabel('Phạm vi (đơn vị và cấp dưới)').selectOption('490');
    await form.getByRole('button', { name: 'Tạo người dùng' }).click();
    await form.getByRole('alert').getByText('Mật khẩu ban đầu: Ít nhất 12 ký tự.').waitFor();
    await form.getByLabel('Mật khẩu ban đầu').fill(OPERATOR.password);
    await form.getByRole('button', { name: 'Tạo người dùng' }).click();
    await p.page.waitForURL(UUID);
    const detail = p.page.locator('article.user-detail');
    await detail.getByRole('heading', { name: new RegExp(OPERATOR.displayName) }).waitFor();
    await p.page.locator(`.device-list li[data-user="${OPERATOR.username}"]`).getByText('Điều hành viên trung tâm điều hành @ Quận Liên Chiểu').waitFor();
    // A person signs in: API keys are for service accounts, and the page says so.
    await detail.getByText('Khóa API chỉ dành cho tài khoản dịch vụ').waitFor();
    // Disabling one's own account is refused before asking; here the button is enabled (another user).
    assert.equal(await detail.getByRole('button', { name: 'Khóa tài khoản' }).isDisabled(), false);
    await screenshot(p.page, 'console-admin-user');

    const created = await api<{ items: { username: string; unitCode: string; assignments: unknown[] }[] }>(base, `/api/v1/users?q=${OPERATOR.username}`);
    assert.deepEqual(created.body.items.map((u) => [u.username, u.unitCode, u.assignments]), [[OPERATOR.username, '490', [{ role: 'oc_operator', unitCode: '490', sector: null }]]]);
    assert.deepEqual(unexpected(errors), []);
    await p.page.close();
  });

  it('edits the org tree: adds a unit below a district, renames it, retires it into the district', async () => {
    const p = new ConsolePage(await admin.newPage(), base);
    const errors = pageErrors(p.page);
    await p.open('#/admin/units');
    await p.page.getByLabel(/^Tìm đơn vị/).fill('liên chiểu');
    // The district cannot be retired while units below it are active: disabled, with the reason.
    const retireDistrict = p.page.getByRole('button', { name: 'Ngừng sử dụng: Quận Liên Chiểu', exact: true });
    assert.equal(await retireDistrict.isDisabled(), true);
    assert.equal(await retireDistrict.getAttribute('title'), 'Hãy ngừng sử dụng hoặc chuyển các đơn vị trực thuộc trước.');
    await p.page.getByRole('button', { name: 'Thêm đơn vị trực thuộc: Quận Liên Chiểu', exact: true }).click();
    const add = p.page.getByRole('form', { name: 'Thêm đơn vị trực thuộc Quận Liên Chiểu' });
    await add.getByLabel('Mã đơn vị').fill('lc-e2e');
    await add.getByLabel('Loại đơn vị').selectOption('agency');
    await add.getByRole('button', { name: 'Lưu' }).click();
    // The server's field errors, named by the form's labels.
    await add.getByRole('alert').getByText(/^Tên \(tiếng Việt\): /).waitFor();
    await add.getByLabel('Tên (tiếng Việt)').fill('Tổ công tác Liên Chiểu');
    await add.getByLabel('Tên (tiếng Anh)').fill('Lien Chieu task force');
    await add.getByRole('button', { name: 'Lưu' }).click();
    const row = p.page.locator('.org-tree li[data-unit-code="lc-e2e"]');
    await row.getByText('Tổ công tác Liên Chiểu').waitFor();
    await row.getByText('Cơ quan').waitFor();

    await p.page.getByRole('button', { name: 'Đổi tên: Tổ công tác Liên Chiểu', exact: true }).click();
    const rename = p.page.getByRole('form', { name: 'Sửa đơn vị Tổ công tác Liên Chiểu' });
    await rename.getByLabel('Tên (tiếng Việt)').fill('Tổ phản ứng nhanh Liên Chiểu');
    await rename.getByRole('button', { name: 'Lưu' }).click();
    await row.getByText('Tổ phản ứng nhanh Liên Chiểu').waitFor();

    await p.page.getByRole('button', { name: 'Ngừng sử dụng: Tổ phản ứng nhanh Liên Chiểu', exact: true }).click();
    const retire = p.page.getByRole('form', { name: 'Ngừng sử dụng Tổ phản ứng nhanh Liên Chiểu' });
    await retire.getByLabel('Đơn vị kế thừa').selectOption('490');
    await retire.getByRole('button', { name: 'Ngừng sử dụng' }).click();
    await row.getByText('Đã ngừng sử dụng → Quận Liên Chiểu (490)').waitFor();
    await screenshot(p.page, 'console-admin-org-tree-edit');
    const unit = await api<{ unit: { status: string; successor: string; name: { vi: string } } }>(base, '/api/v1/units/lc-e2e');
    assert.deepEqual([unit.body.unit.status, unit.body.unit.successor, unit.body.unit.name.vi], ['retired', '490', 'Tổ phản ứng nhanh Liên Chiểu']);
    assert.deepEqual(unexpected(errors).filter((e) => !/status of 400/.test(e)), []);
    await p.page.close();
  });

  it('creates a service account for the district and issues it an API key, shown once', async () => {
    const p = new ConsolePage(await admin.newPage(), base);
    const errors = pageErrors(p.page);
    await p.open('#/admin/users/new');
    const form = p.page.getByRole('form', { name: 'Người dùng mới' });
    await form.getByLabel('Loại tài khoản').selectOption('service');
    // A service account has no password, and only the data provider role.
    const roles = form.getByRole('group', { name: 'Vai trò 1' }).getByRole('combobox', { name: 'Vai trò', exact: true }).locator('option');
    await eventually(async () => (await roles.allTextContents()).join() === 'Đơn vị cung cấp dữ liệu', 5000, 'the data provider role only');
    assert.equal(await form.getByLabel('Mật khẩu ban đầu').count(), 0);
    await form.getByLabel('Tên đăng nhập').fill('admin');
    await form.getByLabel('Họ tên hiển thị').fill(GATEWAY.displayName);
    await form.getByLabel('Đơn vị chủ quản').selectOption('490');
    await form.getByRole('group', { name: 'Vai trò 1' }).getByLabel('Phạm vi (đơn vị và cấp dưới)').selectOption('490');
    await form.getByRole('button', { name: 'Tạo người dùng' }).click();
    // The server refuses a taken username: the field is named, under it and in the summary.
    await form.getByRole('alert').getByText('Tên đăng nhập: Đã có, hãy chọn giá trị khác.').waitFor();
    await form.getByLabel('Tên đăng nhập').fill(GATEWAY.username);
    await form.getByRole('button', { name: 'Tạo người dùng' }).click();
    await p.page.waitForURL(UUID);

    const keys = p.page.getByRole('region', { name: 'Khóa API' });
    await keys.getByLabel('Tên khóa').fill('Cổng telemetry');
    await keys.getByRole('button', { name: 'Cấp khóa API' }).click();
    const secret = keys.getByTestId('api-key-secret');
    await secret.waitFor();
    const key = (await secret.textContent()) ?? '';
    assert.match(key, /^hdk_/);
    await keys.getByText('Sao chép khóa này ngay: nó chỉ hiện một lần').waitFor();
    const row = keys.locator('tbody tr', { hasText: 'Cổng telemetry' });
    await row.waitFor();
    assert.ok(key.startsWith(((await row.locator('code').textContent()) ?? '').replace('…', '')), 'the list shows the key’s prefix');
    await screenshot(p.page, 'console-admin-api-key');
    // The key works, as the service account (its own scope)…
    const asService = await api<{ user: { username: string } }>(base, '/api/v1/auth/session', { token: key });
    assert.equal(asService.status, 200);
    assert.equal(asService.body.user.username, GATEWAY.username);
    // …and once acknowledged, it is gone from the page for good: the list keeps only its prefix.
    await keys.getByRole('button', { name: 'Tôi đã sao chép' }).click();
    await secret.waitFor({ state: 'detached' });
    await p.page.reload();
    await keys.locator('tbody tr', { hasText: 'Cổng telemetry' }).waitFor();
    assert.equal((await p.page.content()).includes(key), false);
    assert.deepEqual(unexpected(errors), []);
    await p.page.close();
  });

  it('finds the user’s creation in the audit log, in city time, and verifies the chain', async () => {
    const p = new ConsolePage(await admin.newPage(), base);
    const errors = pageErrors(p.page);
    await p.open('#/admin/audit');
    const filters = p.page.getByRole('search', { name: 'Lọc nhật ký' });
    await filters.getByLabel(/^Hành động/).fill('user.create');
    await filters.getByRole('button', { name: 'Lọc', exact: true }).click();
    const entry = p.page.locator(`.audit-table tr[data-target="user:${OPERATOR.username}"]`);
    await entry.waitFor();
    assert.equal(await entry.getAttribute('data-action'), 'user.create');
    await entry.getByText('admin', { exact: true }).waitFor();
    assert.deepEqual([...new Set(await p.page.locator('.audit-table tbody tr').evaluateAll((tr) => tr.map((r) => r.getAttribute('data-action'))))], ['user.create']);
    // Times are the city's (UTC+7) even though this browser runs in Europe/Paris.
    const vn = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', hour: '2-digit', hourCycle: 'h23' }).format(new Date());
    assert.match((await entry.locator('time').textContent()) ?? '', new RegExp(`\\b${vn}:\\d\\d:\\d\\d`));
    await p.page.getByRole('button', { name: 'Kiểm tra tính toàn vẹn' }).click();
    const verified = p.page.getByTestId('audit-verify-result');
    await verified.waitFor();
    assert.match((await verified.textContent()) ?? '', /^Chuỗi nhật ký toàn vẹn: đã kiểm tra \d+ mục\.$/);
    await screenshot(p.page, 'console-admin-audit');
    assert.deepEqual(unexpected(errors), []);
    await p.page.close();
  });

  it('the new district operator sees only delegations; an analyst sees no administration', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN' });
    const p = new ConsolePage(await context.newPage(), base);
    const errors = pageErrors(p.page);
    await p.open('#/admin/users');
    await p.signIn(OPERATOR.username, OPERATOR.password);
    // An operator may delegate (ủy quyền), so the entry shows, with that one tab; users are refused with the reason.
    await p.nav(/^Quản trị$/).waitFor();
    const tabs = p.page.getByRole('group', { name: 'Các mục quản trị' });
    await tabs.waitFor();
    assert.deepEqual(await tabs.getByRole('link').allTextContents(), ['Ủy quyền']);
    await p.page.getByRole('alert').getByText('Mục này cần quyền user.manage').waitFor();
    assert.equal(await p.page.getByRole('link', { name: 'Người dùng mới' }).count(), 0);
    await tabs.getByRole('link', { name: 'Ủy quyền' }).click();
    const form = p.page.getByRole('form', { name: 'Ủy quyền mới' });
    await form.waitFor();
    // Their own role and district only; without user.manage the grantee is given by user id.
    assert.deepEqual(await form.getByRole('combobox', { name: 'Vai trò', exact: true }).locator('option').allTextContents(), ['Điều hành viên trung tâm điều hành']);
    const units = await form.getByLabel('Phạm vi (đơn vị và cấp dưới)').locator('option').evaluateAll((o) => o.map((x) => x.getAttribute('value')));
    assert.equal(units[0], '490');
    assert.ok(!units.includes('48') && !units.includes('492'), units.join());
    await form.getByLabel('Mã người được ủy quyền').waitFor();
    await screenshot(p.page, 'console-admin-district-operator');
    assert.deepEqual(unexpected(errors), []);
    await context.close();

    const other = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'vi-VN' });
    const a = new ConsolePage(await other.newPage(), base);
    await a.open('#/overview');
    await a.signIn(ANALYST.username, ANALYST.password);
    await a.nav(/^Tổng quan$/).waitFor();
    assert.equal(await a.nav(/^Quản trị$/).count(), 0);
    await other.close();
  });
});
