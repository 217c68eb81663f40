// Payments: confirmed candidates who have not paid (a point records why, one by one; counties and
// cities see the counts per point), and the province's daily reconciliation against a provider's
// statement, which lists every mismatch and corrects nothing.
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { beijingDay, cells, fileInput, show, staffCall, table, yuan } from './kit.js';

export async function unpaidView() {
  const answer = await staffCall('GET', '/api/payment/staff/unpaid-candidates');
  // A point gets its candidates; a county, city or the province the counts per point.
  const listing = { candidates: answer.candidates ?? [], points: answer.points ?? [] };
  const rows = listing.candidates.map((candidate) => {
    const reason = field({ name: 'reason', label: `${candidate.name} 未缴费的原因`, value: candidate.reason ?? '' });
    const save = h('button', { type: 'button', class: 'secondary' }, '保存原因');
    const row = h('tr', { 'data-candidate': candidate.candidateNumber },
      cells(candidate.candidateNumber, candidate.name, candidate.documentNumber), h('td', {}, reason, h('div', { class: 'actions' }, save)));
    save.addEventListener('click', () => act(save, row, async () => {
      const recorded = await staffCall('PUT', `/api/payment/staff/unpaid-candidates/${candidate.candidateID}/reason`,
        { reason: reason.querySelector('input').value.trim() });
      clearErrors(row);
      save.textContent = '已保存';
      reason.querySelector('input').value = recorded.reason;
    }));
    return row;
  });
  show('未缴费考生',
    h('section', { class: 'card' }, h('p', {}, '已现场确认、尚未缴费的考生。请联系考生并记录原因。'),
      listing.candidates.length ? table('unpaid', '未缴费考生', ['考生号', '姓名', '证件号码', '原因'], rows) : h('p', {}, '本点没有未缴费的考生。')),
    listing.points.length ? h('section', { class: 'card' }, h('h3', {}, '各确认点'),
      table('unpaid-points', '各确认点未缴费人数', ['确认点', '未缴费', '已记录原因'],
        listing.points.map((point) => h('tr', {}, cells(point.pointName, String(point.unpaid), String(point.withReason)))))) : null);
}

const mismatchNames = { amount_differs: '金额不符', paid_there_not_here: '渠道有、本系统无', paid_here_not_there: '本系统有、渠道无' };

export function reconciliationView() {
  const yesterday = beijingDay(-1);
  const statement = fileInput('statement', '渠道对账单（CSV）', '.csv,text/csv');
  const result = h('div', { id: 'reconciliation-result' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'grid' },
      field({ name: 'provider', label: '支付渠道', options: [['alipay', '支付宝'], ['wechat', '微信支付']], value: 'alipay', required: true }),
      field({ name: 'day', label: '对账日期', type: 'date', value: yesterday, required: true })),
    statement.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '上传并对账')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      const chosen = statement.file();
      if (!chosen) throw Object.assign(new Error('请选择对账单文件'), { fields: [{ field: 'statement', message: '请选择对账单文件' }] });
      const input = values(form);
      const done = await staffCall('POST', `/api/payment/staff/payments/reconciliations?provider=${input.provider}&day=${encodeURIComponent(input.day ?? '')}`,
        new Blob([await chosen.arrayBuffer()], { type: 'text/csv' }));
      clearErrors(form);
      result.replaceChildren(
        banner(done.mismatches.length ? `对账单 ${done.statementLines} 笔，发现 ${done.mismatches.length} 处不符` : `对账单 ${done.statementLines} 笔，全部相符`,
          done.mismatches.length ? 'error' : 'ok'),
        done.mismatches.length ? table('mismatches', '不符之处', ['情况', '渠道交易号', '订单号', '本系统金额', '渠道金额'],
          done.mismatches.map((m) => h('tr', {}, cells(mismatchNames[m.kind] ?? m.kind, m.tradeNo, m.orderNo, yuan(m.amountHereFen), yuan(m.amountThereFen))))) : null);
    });
  });
  show('缴费对账', h('section', { class: 'card' }, form), result);
}
