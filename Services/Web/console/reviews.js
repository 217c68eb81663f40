// Reviews: permit holders the city decides on, exemption applications (the city's first review,
// its list sent up, the province's decision), bonus claims the points recorded, and the data
// reports each county and city confirms and sends up (with the statistics and what blocks them).
import { download } from '/shared/api.js';
import { act, banner, h } from '/shared/dom.js';
import { cells, decisionCell, hasRole, redraw, show, staffCall, table, when } from './kit.js';

const documentNames = { resident_id: '居民身份证', hmt_permit: '港澳台居民居住证', overseas_chinese_passport: '华侨护照', foreigner_residence_permit: '外国人永久居留身份证' };

export async function permitReviewsView() {
  const cases = await staffCall('GET', '/api/confirmation/staff/permit-reviews');
  const rows = cases.map((c) => {
    const row = h('tr', { 'data-candidate': String(c.candidateID) }, cells(`${c.name}（${c.documentNumberMasked}）`, c.pointID,
      documentNames[c.documentType] ?? c.documentType, c.notes, `${c.scanCount} 份`, when(c.referredAt)));
    row.append(h('td', {}, decisionCell(`${c.name} `, [
      { text: '通过并确认', kind: 'approve', run: (button, reason) => act(button, row, async () => { await staffCall('POST', `/api/confirmation/staff/permit-reviews/${c.candidateID}/approve`, { reason }); redraw(); }) },
      { text: '不予通过', kind: 'secondary', run: (button, reason) => act(button, row, async () => { await staffCall('POST', `/api/confirmation/staff/permit-reviews/${c.candidateID}/refuse`, { reason }); redraw(); }) }])));
    return row;
  });
  show('持证考生审核', h('section', { class: 'card' }, rows.length
    ? table('permit-reviews', '待审核的持证考生', ['考生', '确认点', '证件', '说明', '扫描件', '转审时间', '审核'], rows)
    : h('p', {}, '没有待审核的持证考生。')));
}

const exemptionStatus = { applied: '待市级初审', city_passed: '市级初审通过', city_refused: '市级初审不通过', approved: '省级批准', refused: '省级不批准' };

export async function exemptionsView(member) {
  const province = hasRole(member, 'province_admin');
  const waiting = province ? 'city_passed' : 'applied';
  const { cases } = await staffCall('GET', `/api/review/staff/exemptions?status=${waiting}`);
  const decide = (c, body) => async (button, reason) => act(button, button.closest('tr'), async () => {
    await staffCall('POST', `/api/review/staff/exemptions/${c.candidateID}/${province ? 'decision' : 'city-review'}`, { ...body, reason });
    redraw();
  });
  const rows = cases.map((c) => h('tr', { 'data-candidate': String(c.candidateID) },
    cells(c.name, c.documentNumberMasked, c.categoryName, c.reason, exemptionStatus[c.status] ?? c.status),
    h('td', {}, decisionCell(`${c.name} `, province
      ? [{ text: '批准', kind: 'approve', run: decide(c, { decision: 'approve' }) }, { text: '不批准', kind: 'secondary', run: decide(c, { decision: 'refuse' }) }]
      : [{ text: '初审通过', kind: 'pass', run: decide(c, { decision: 'pass' }) }, { text: '不通过', kind: 'secondary', run: decide(c, { decision: 'refuse' }) }]))));
  let send = null;
  if (hasRole(member, 'city_officer')) {
    send = h('section', { class: 'card' }, h('p', {}, '本市已缴费考生的申请全部初审后，向省成招处上报免试名单。'));
    const button = h('button', { type: 'button', id: 'send-exemption-list' }, '上报免试名单');
    button.addEventListener('click', () => act(button, send, async () => {
      const sent = await staffCall('POST', '/api/review/staff/exemption-lists');
      send.prepend(banner(`已上报 ${sent.year} 年免试名单（${when(sent.submittedAt)}）`, 'ok'));
    }));
    send.append(h('div', { class: 'actions' }, button));
  }
  show('免试入学审核', h('section', { class: 'card' }, rows.length
    ? table('exemptions', province ? '待省级审定的免试申请' : '待市级初审的免试申请', ['姓名', '证件号码', '类别', '理由', '状态', '审核'], rows)
    : h('p', {}, province ? '没有待省级审定的申请。' : '没有待初审的申请。')), send);
}

export async function bonusClaimsView() {
  const { claims } = await staffCall('GET', '/api/review/staff/bonus-claims?status=open');
  const decide = (c, decision) => async (button, reason) => act(button, button.closest('tr'), async () => {
    await staffCall('PUT', `/api/review/staff/candidates/${c.candidateID}/bonus/${encodeURIComponent(c.policyCode)}`, { decision, reason });
    redraw();
  });
  const rows = claims.map((c) => h('tr', {}, cells(c.name, c.countyID, c.policyName, `${c.points} 分`, c.evidence),
    h('td', {}, decisionCell(`${c.name} ${c.policyName} `, [
      { text: '认定', kind: 'approve', run: decide(c, 'accept') }, { text: '不认定', kind: 'secondary', run: decide(c, 'reject') }]))));
  show('照顾加分审核', h('section', { class: 'card' }, rows.length
    ? table('bonus-claims', '待审核的照顾加分', ['姓名', '县市区', '政策', '分值', '证明材料', '审核'], rows)
    : h('p', {}, '没有待审核的照顾加分申请。')));
}

const reportStatus = { reported: '已上报，待接收', accepted: '已接收', returned: '已退回', reopened: '已重新开放' };

export async function reportsView(member) {
  const [statistics, blockers, { reports }] = await Promise.all([
    staffCall('GET', '/api/review/staff/statistics'), staffCall('GET', '/api/review/staff/reports/blockers').catch(() => null),
    staffCall('GET', '/api/review/staff/reports')]);
  const count = (object, names = {}) => Object.entries(object ?? {}).map(([key, value]) => `${names[key] ?? key} ${value}`).join('，') || '无';
  const summary = h('section', { class: 'card', id: 'statistics' }, h('h3', {}, `${statistics.nodeName} ${statistics.year} 年考生统计`),
    h('p', {}, `考生总数 ${statistics.total}`),
    h('p', {}, '按状态：', count(statistics.byStatus, { registered: '已注册', submitted: '已提交', pending_city_review: '待市级审核', confirmed: '已确认', paid: '已缴费', invalid: '无效' })),
    h('p', {}, '按层次：', count(statistics.byLevel, { high_school_to_bachelor: '高起本', high_school_to_associate: '高起专', associate_to_bachelor: '专升本' })));
  let send = null;
  if (hasRole(member, 'county_officer', 'city_officer')) {
    const button = h('button', { type: 'button', id: 'send-report' }, '确认并上报本单位数据');
    send = h('section', { class: 'card' }, h('h3', {}, '上报'),
      blockers?.blockers.length ? h('ul', { id: 'blockers' }, blockers.blockers.map((b) => h('li', {}, `${b.message}（${b.count}）`))) : h('p', {}, '没有阻止上报的问题。'),
      h('div', { class: 'actions' }, button));
    button.addEventListener('click', () => act(button, send, async () => { await staffCall('POST', '/api/review/staff/reports'); redraw(); }));
  }
  const rows = reports.map((report) => {
    const row = h('tr', { 'data-report': String(report.id) }, cells(report.unitName, report.level === 'city' ? '市州' : '县市区', String(report.candidates),
      `${reportStatus[report.status] ?? report.status}${report.returnReason ? `（${report.returnReason}）` : ''}`, when(report.reportedAt)));
    const actions = h('td', {});
    for (const format of ['xlsx', 'csv']) {
      const get = h('button', { type: 'button', class: 'secondary' }, `导出 ${format.toUpperCase()}`);
      get.addEventListener('click', () => act(get, row, async () =>
        download(await staffCall('GET', `/api/review/staff/reports/${report.id}/export?format=${format}`), `上报数据-${report.unitID}-${report.id}.${format}`)));
      actions.append(get, ' ');
    }
    if (report.status === 'reported' && report.unitID !== member.nodeID) {
      actions.append(decisionCell(`${report.unitName} 上报`, [
        { text: '接收', kind: 'approve', run: (button) => act(button, row, async () => { await staffCall('POST', `/api/review/staff/reports/${report.id}/accept`); redraw(); }) },
        { text: '退回', kind: 'secondary', run: (button, reason) => act(button, row, async () => { await staffCall('POST', `/api/review/staff/reports/${report.id}/return`, { reason, items: [] }); redraw(); }) }]));
    }
    row.append(actions);
    return row;
  });
  show('数据上报', summary, send, h('section', { class: 'card' }, h('h3', {}, '上报记录'),
    rows.length ? table('reports', '上报记录', ['单位', '级别', '考生数', '状态', '上报时间', '操作'], rows) : h('p', {}, '还没有上报。')));
}
