// Exam arrangement: exam sites (考点) a county proposes, its city reviews and the province
// approves, with each approved site's materials (门贴、桌贴、签到表) made by the document workers;
// and the province's numbering runs (编排) with their progress, publication and the tickets made.
import { download } from '/shared/api.js';
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { cells, decisionCell, follow, hasRole, redraw, show, staffCall, table, when } from './kit.js';

const siteStatus = { proposed: '待市州审核', city_reviewed: '待省级审定', approved: '已审定', returned: '已退回' };

export async function examSitesView(member) {
  const [sites, districts] = await Promise.all([staffCall('GET', '/api/arrangement/staff/exam-sites'),
    staffCall('GET', '/api/arrangement/staff/exam-districts').catch(() => [])]);
  const decide = (site, path, body) => async (button, reason) => act(button, button.closest('tr'), async () => {
    await staffCall('POST', `/api/arrangement/staff/exam-sites/${encodeURIComponent(site.id)}/${path}`, { ...body, reason });
    redraw();
  });
  const rows = sites.map((site) => {
    const row = h('tr', { 'data-site': site.id }, cells(site.name, site.districtCode, site.address, `${site.rooms} 间 × ${site.seatsPerRoom} 座`,
      `${siteStatus[site.status] ?? site.status}${site.closed ? '（已关闭）' : ''}${site.statusReason ? `（${site.statusReason}）` : ''}`));
    const cell = h('td', {});
    if (hasRole(member, 'city_officer') && site.status === 'proposed') {
      cell.append(decisionCell(`${site.name} `, [{ text: '审核通过', kind: 'pass', run: decide(site, 'review', { approve: true }) },
        { text: '退回', kind: 'secondary', run: decide(site, 'review', { approve: false }) }]));
    }
    if (hasRole(member, 'province_admin') && site.status === 'city_reviewed') {
      cell.append(decisionCell(`${site.name} `, [{ text: '审定', kind: 'approve', run: decide(site, 'approve', {}) },
        { text: '退回', kind: 'secondary', run: decide(site, 'return', {}) }]));
    }
    if (hasRole(member, 'county_officer') && site.status === 'approved' && !site.closed) cell.append(sitePackButton(site, row));
    row.append(cell);
    return row;
  });
  let proposal = null;
  if (hasRole(member, 'county_officer')) {
    proposal = h('form', { novalidate: true, id: 'site-proposal' },
      h('div', { class: 'grid' },
        field({ name: 'name', label: '考点名称', required: true }),
        field({ name: 'districtCode', label: '所属考区', required: true, options: districts.map((d) => [d.code, `${d.code} ${d.name}`]) }),
        field({ name: 'address', label: '地址', required: true }), field({ name: 'contact', label: '联系人', required: true }),
        field({ name: 'phone', label: '联系电话', type: 'tel', required: true }),
        field({ name: 'rooms', label: '考场数', type: 'number', value: '20', required: true }),
        field({ name: 'seatsPerRoom', label: '每考场座位数', type: 'number', value: '30', required: true }),
        field({ name: 'accessibleRooms', label: '无障碍考场数', type: 'number', value: '0' })),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, '申报考点')));
    proposal.addEventListener('submit', async (event) => {
      event.preventDefault();
      await act(proposal.querySelector('button'), proposal, async () => {
        const input = values(proposal);
        await staffCall('POST', '/api/arrangement/staff/exam-sites', { ...input, rooms: Number(input.rooms), seatsPerRoom: Number(input.seatsPerRoom),
          accessibleRooms: Number(input.accessibleRooms ?? 0) });
        redraw();
      });
    });
  }
  show('考点', proposal ? h('section', { class: 'card' }, h('h3', {}, '申报考点'), proposal) : null,
    h('section', { class: 'card' }, rows.length ? table('exam-sites', '本辖区的考点', ['名称', '考区', '地址', '规模', '状态', '操作'], rows) : h('p', {}, '本辖区还没有考点。')));
}

// The site's materials: queued, made room by room by whichever document workers run, then one ZIP.
function sitePackButton(site, row) {
  const state = h('p', { class: 'pack-state', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'secondary' }, '生成考点材料');
  button.addEventListener('click', () => act(button, row, async () => {
    const started = await staffCall('POST', `/api/documents/staff/exam-sites/${encodeURIComponent(site.id)}/pack`);
    const done = await follow(() => staffCall('GET', `/api/documents/staff/site-packs/${encodeURIComponent(started.id)}`),
      (pack) => pack.status === 'done' || pack.status === 'failed',
      (pack) => { state.textContent = `已生成 ${pack.roomsMade}/${pack.rooms} 个考场`; });
    if (done.status !== 'done') { state.textContent = '生成失败，请稍后重试'; return; }
    download(await staffCall('GET', `/api/documents/staff/site-packs/${encodeURIComponent(started.id)}/file`), `考点材料-${site.name}.zip`);
  }));
  return h('div', {}, button, state);
}

const runStatus = { queued: '排队中', running: '编排中', done: '已完成', refused: '未能编排' };

export async function numberingView() {
  const [runs, tickets] = await Promise.all([staffCall('GET', '/api/arrangement/staff/numbering-runs'),
    staffCall('GET', '/api/documents/staff/admission-tickets/progress').catch(() => null)]);
  const start = h('form', { novalidate: true, id: 'numbering-form' },
    field({ name: 'seed', label: '随机种子（可不填）', hint: '留空则由系统生成；同一种子、同一数据得到同一结果' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '开始编排')));
  const progress = h('p', { id: 'numbering-state', 'aria-live': 'polite' });
  start.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(start.querySelector('button'), start, async () => {
      const run = await staffCall('POST', '/api/arrangement/staff/numbering-runs', values(start));
      clearErrors(start);
      await follow(() => staffCall('GET', `/api/arrangement/staff/numbering-runs/${encodeURIComponent(run.id)}`),
        (r) => r.status === 'done' || r.status === 'refused', (r) => { progress.textContent = `${runStatus[r.status] ?? r.status} ${r.percent}%`; });
      redraw();
    });
  });
  const rows = runs.map((run) => {
    const row = h('tr', { 'data-run': run.id }, cells(when(run.requestedAt), runStatus[run.status] ?? run.status, `${run.percent}%`,
      run.candidates === null ? '' : String(run.candidates), run.rooms === null ? '' : String(run.rooms),
      run.publishedAt ? `已发布（${when(run.publishedAt)}）` : '未发布', (run.problems ?? []).map((p) => p.message ?? JSON.stringify(p)).join('；')));
    const cell = h('td', {});
    if (run.status === 'done' && !run.publishedAt) {
      const publish = h('button', { type: 'button', class: 'approve' }, '发布');
      publish.addEventListener('click', () => act(publish, row, async () => {
        await staffCall('POST', `/api/arrangement/staff/numbering-runs/${encodeURIComponent(run.id)}/publish`);
        redraw();
      }));
      cell.append(publish);
    }
    row.append(cell);
    return row;
  });
  show('编排准考证号',
    tickets ? banner(`准考证生成：${tickets.made}/${tickets.tickets}（${tickets.percent}%）`, 'info') : null,
    h('section', { class: 'card' }, h('h3', {}, '新的编排'), start, progress),
    h('section', { class: 'card' }, h('h3', {}, '本年度的编排'),
      rows.length ? table('numbering-runs', '本年度的编排', ['开始时间', '状态', '进度', '考生', '考场', '发布', '问题', '操作'], rows) : h('p', {}, '还没有编排。')));
}
