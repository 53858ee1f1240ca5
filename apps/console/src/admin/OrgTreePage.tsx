import { ORG_UNIT_KIND_LABELS, type OrgUnitKind, OrgTree, type Sector } from '@haidang/domain';
import { useMemo, useState } from 'react';
import { api } from '../api/client.ts';
import type { UnitView } from '../api/types.ts';
import { allows, allowsSomewhere } from '../auth/permissions.ts';
import { useSession } from '../auth/session.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { useAsync } from '../shared/useAsync.ts';
import { toggled, treeRows, withChildren } from './org-tree.ts';
import { UnitForm } from './UnitForm.tsx';
import { UnitRetireForm } from './UnitRetireForm.tsx';

const TREE_PAGE = 200;
type Editing = { code: string; mode: 'add' | 'rename' | 'retire' } | null;

/** The org tree, indented and collapsible, searchable; add, rename and retire units where one may. */
export function OrgTreePage() {
  const { t, pick } = useI18n();
  const session = useSession();
  const list = useAsync((signal) => api<{ items: UnitView[] }>('GET', '/api/v1/units?status=all', undefined, { signal }), []);
  const units = list.data?.items ?? session.units;
  const tree = useMemo(() => new OrgTree(units.map((u) => ({ code: u.code, parent: u.parent, status: u.status, successor: u.successor, sector: u.sector as Sector | null }))), [units]);
  const byCode = useMemo(() => new Map(units.map((u) => [u.code, u])), [units]);
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(session.tree.roots()));
  const [showRetired, setShowRetired] = useState(true);
  const [limit, setLimit] = useState(TREE_PAGE);
  const [editing, setEditing] = useState<Editing>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const rows = useMemo(() => treeRows(units, { query, expanded, showRetired }), [units, query, expanded, showRetired]);
  const manager = allowsSomewhere(session.grants, 'unit.manage');
  const name = (code: string | null) => (code ? `${pick(byCode.get(code)?.name) || code} (${code})` : '');

  const done = (code: string) => {
    // A unit just added shows under its (now open) parent.
    if (editing?.mode === 'add') setExpanded((s) => new Set([...s, editing.code]));
    setEditing(null);
    setSaved(code);
    list.reload();
  };
  /** Why an action on a unit is refused, or undefined when it may be taken. */
  const refusal = (u: UnitView, mode: 'add' | 'rename' | 'retire'): string | undefined => {
    if (!allows(session.grants, tree, 'unit.manage', { unitCode: u.code })) return t('admin.units.outOfScope');
    if (mode === 'add' && u.status === 'retired') return t('admin.units.isRetired');
    if (mode !== 'retire') return undefined;
    if (u.status === 'retired') return t('admin.units.isRetired');
    if (u.parent === null) return t('admin.units.rootStays');
    if (units.some((c) => c.parent === u.code && c.status === 'active')) return t('admin.units.hasActiveChildren');
    return undefined;
  };

  return (
    <section className="org-tree-page" aria-label={t('admin.tab.units')}>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="grow">
          {t('admin.units.search')}
          <input type="search" name="q" value={query} maxLength={200} onChange={(e) => (setQuery(e.target.value), setLimit(TREE_PAGE))} />
        </label>
        <label className="check">
          <input type="checkbox" checked={showRetired} onChange={(e) => setShowRetired(e.target.checked)} />
          {t('admin.units.showRetired')}
        </label>
        <button type="button" onClick={() => setExpanded(withChildren(units))}>
          {t('admin.units.expandAll')}
        </button>
        <button type="button" onClick={() => setExpanded(new Set(tree.roots()))}>
          {t('admin.units.collapseAll')}
        </button>
      </form>
      {list.error && (
        <p className="error" role="alert">
          {t('app.error', { message: list.error.message })}
        </p>
      )}
      {!manager && <p className="muted">{t('admin.units.readOnly')}</p>}
      <p className="muted">{t('admin.units.count', { shown: rows.length, total: units.length })}</p>
      <ul className="org-tree">
        {rows.slice(0, limit).map(({ unit: u, depth, hasChildren, expanded: open }) => (
          <li key={u.code} data-unit-code={u.code} className={u.status === 'retired' ? 'retired' : ''} style={{ paddingLeft: `${depth * 1.4}rem` }}>
            <div className="org-row">
              {hasChildren ? (
                <button type="button" className="link toggle" aria-expanded={open} aria-label={t(open ? 'admin.units.collapse' : 'admin.units.expand', { name: pick(u.name) })} onClick={() => setExpanded((s) => toggled(s, u.code))} disabled={!!query.trim()}>
                  {open ? '▾' : '▸'}
                </button>
              ) : (
                <span className="toggle" aria-hidden="true" />
              )}
              <span className="title">{pick(u.name)}</span>
              <span className="badge kind">{pick(ORG_UNIT_KIND_LABELS[u.kind as OrgUnitKind]) || u.kind}</span>
              <code>{u.code}</code>
              {u.status === 'retired' ? (
                <span className="badge retired">{u.successor ? t('admin.units.retiredTo', { successor: name(u.successor) }) : t('admin.units.retired')}</span>
              ) : (
                <span className="muted">{t('admin.units.active')}</span>
              )}
              {saved === u.code && <span className="ok" role="status">{t('action.done')}</span>}
              {manager && (
                <span className="row-actions">
                  {(['add', 'rename', 'retire'] as const).map((mode) => {
                    const reason = refusal(u, mode);
                    return (
                      <button key={mode} type="button" className="link" disabled={reason !== undefined} title={reason} aria-label={`${t(`admin.units.${mode}`)}: ${pick(u.name)}`} onClick={() => (setSaved(null), setEditing({ code: u.code, mode }))}>
                        {t(`admin.units.${mode}`)}
                      </button>
                    );
                  })}
                </span>
              )}
            </div>
            {editing?.code === u.code && editing.mode !== 'retire' && <UnitForm key={editing.mode} mode={editing.mode} unit={u} onDone={done} onCancel={() => setEditing(null)} />}
            {editing?.code === u.code && editing.mode === 'retire' && <UnitRetireForm unit={u} units={units} tree={tree} onDone={done} onCancel={() => setEditing(null)} />}
          </li>
        ))}
      </ul>
      {rows.length > limit && (
        <button type="button" onClick={() => setLimit(limit + TREE_PAGE)}>
          {t('admin.showMore', { count: rows.length - limit })}
        </button>
      )}
    </section>
  );
}
