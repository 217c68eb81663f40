// Appointment slots (预约时段) a point publishes within its hours, the county's permission to work
// outside them on a day (hours override), and who is booked on a day (the operator's list).
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { beijingDay, cells, hasRole, show, staffCall, table } from './kit.js';

export async function slotsView(member) {
  const points = (await staffCall('GET', '/api/confirmation/staff/points')).filter((point) => point.status === 'approved');
  if (points.length === 0) { show('预约时段', banner('本辖区还没有已审定的报名确认点。')); return; }
  const today = beijingDay();
  const pointField = () => field({ name: 'pointID', label: '报名确认点', options: points.map((p) => [p.id, p.name]), value: points[0].id, required: true });
  const section = (title, form, after) => h('section', { class: 'card' }, h('h3', {}, title), form, after);

  const slot = h('form', { novalidate: true, id: 'slot-form' },
    h('div', { class: 'grid' }, pointField(),
      field({ name: 'day', label: '日期', type: 'date', value: today, required: true }),
      field({ name: 'startsAt', label: '开始时间', type: 'time', value: '08:00', required: true }),
      field({ name: 'endsAt', label: '结束时间', type: 'time', value: '12:00', required: true }),
      field({ name: 'capacity', label: '可预约人数', type: 'number', value: '100', required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '发布时段')));
  slot.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(slot.querySelector('button'), slot, async () => {
      const input = values(slot);
      const published = await staffCall('POST', `/api/confirmation/staff/points/${encodeURIComponent(input.pointID)}/slots`,
        { day: input.day, startsAt: input.startsAt, endsAt: input.endsAt, capacity: Number(input.capacity) });
      clearErrors(slot);
      slot.prepend(banner(`已发布：${published.day} ${published.startsAt.slice(11, 16)}-${published.endsAt.slice(11, 16)}，${published.capacity} 人`, 'ok'));
    });
  });

  let override = null;
  if (hasRole(member, 'county_officer')) {
    override = h('form', { novalidate: true, id: 'override-form' },
      h('div', { class: 'grid' }, pointField(),
        field({ name: 'day', label: '日期', type: 'date', value: today, required: true }),
        field({ name: 'reason', label: '原因', required: true, hint: '如：周末集中办理' })),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, '允许该日在工作时间外办理')));
    override.addEventListener('submit', async (event) => {
      event.preventDefault();
      await act(override.querySelector('button'), override, async () => {
        const input = values(override);
        const granted = await staffCall('POST', `/api/confirmation/staff/points/${encodeURIComponent(input.pointID)}/hours-overrides`,
          { day: input.day, reason: input.reason });
        clearErrors(override);
        override.prepend(banner(`已允许 ${granted.day} 在工作时间外办理`, 'ok'));
      });
    });
  }

  const booked = h('div', { id: 'booked' });
  const lookup = h('form', { novalidate: true, id: 'booked-form' },
    h('div', { class: 'grid' }, pointField(), field({ name: 'day', label: '日期', type: 'date', value: today, required: true })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '查看已预约的考生')));
  lookup.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(lookup.querySelector('button'), lookup, async () => {
      const input = values(lookup);
      const due = await staffCall('GET', `/api/confirmation/staff/points/${encodeURIComponent(input.pointID)}/appointments?day=${encodeURIComponent(input.day)}`);
      clearErrors(lookup);
      booked.replaceChildren(due.length
        ? table('appointments', '已预约的考生', ['时段', '姓名', '证件号码'],
          due.map((c) => h('tr', {}, cells(`${c.startsAt.slice(11, 16)}-${c.endsAt.slice(11, 16)}`, c.name, c.documentNumber))))
        : h('p', {}, '该日没有预约。'));
    });
  });

  show('预约时段', section('发布预约时段', slot), override ? section('工作时间外办理', override) : null, section('已预约的考生', lookup, booked));
}
