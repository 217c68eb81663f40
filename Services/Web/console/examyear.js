// The exam year (province): the calendar, the fee and the pledge as fields, the code lists and
// the examination as the JSON the service keeps (a year's rules change without a release), and
// the enrolment catalogue uploaded as a table.
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { fileInput, show, staffCall } from './kit.js';

// The calendar is kept as instants; staff read and type them as Beijing time.
const beijing = (iso) => (iso ? new Date(new Date(iso).getTime() + 8 * 3600 * 1000).toISOString().slice(0, 16) : '');
const instant = (local) => (local ? `${local}:00+08:00` : undefined);
// Staggered opening as lines of "Beijing time, city codes"; a line that is not one is named beside the field.
const openingsText = (groups) => (groups ?? []).map((g) => `${beijing(g.opens)} ${g.cities.join(',')}`).join('\n');
function openings(text) {
  const lines = (text ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  if (!lines.length) return undefined;
  return lines.map((line, index) => {
    const [, time, cities] = line.match(/^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})\s+(.+)$/) ?? [];
    if (!time) throw Object.assign(new Error('格式有误'), { fields: [{ field: 'calendar.cityOpenings', message: `第 ${index + 1} 行应为“时间 市州代码”` }] });
    return { opens: instant(time.replace(' ', 'T')), cities: cities.split(/[,，\s]+/).filter(Boolean) };
  });
}
const calendarFields = [['registrationOpens', '网上报名开始'], ['registrationCloses', '网上报名截止'], ['localOnlyUntil', '本地户籍优先截止（可不填）'], ['paymentDeadline', '缴费截止']];

export async function examYearView() {
  const current = await staffCall('GET', '/api/registration/exam-year').catch(() => null);
  const year = Number(location.hash.split('?')[1]) || current?.year || new Date().getFullYear();
  const saved = await staffCall('GET', `/api/registration/staff/exam-years/${year}`).catch((error) => { if (error.status === 404) return null; throw error; });
  const { calendar = {}, feeFen, pledge = {}, ...rest } = saved ?? {};
  delete rest.year;
  const form = h('form', { novalidate: true, id: 'exam-year-form' },
    h('div', { class: 'grid' },
      calendarFields.map(([name, label]) => field({ name: `calendar.${name}`, label: `${label}（北京时间）`, type: 'datetime-local', value: beijing(calendar[name]) })),
      field({ name: 'calendar.ageReferenceDate', label: '年龄计算基准日', type: 'date', value: calendar.ageReferenceDate ?? '' }),
      field({ name: 'calendar.lowAgeBelow', label: '低龄考生：未满（岁）', type: 'number', value: String(calendar.lowAgeBelow ?? 18) }),
      field({ name: 'calendar.localOnlyCities', label: '本地户籍优先的市州代码', value: (calendar.localOnlyCities ?? []).join(','), hint: '多个用逗号分隔' }),
      field({ name: 'calendar.cityOpenings', label: '分市州开放时间（错峰，可不填）', type: 'textarea', value: openingsText(calendar.cityOpenings),
        hint: '每行一个时段：北京时间 空格 市州代码，如 2027-08-20T10:00 430100,430200；未列出的市州随报名开始开放' }),
      field({ name: 'feeFen', label: '报名考试费（元）', type: 'number', value: feeFen ? String(feeFen / 100) : '' }),
      field({ name: 'pledge.version', label: '承诺书版本', value: pledge.version ?? '' })),
    field({ name: 'pledge.text', label: '诚信考试承诺书', type: 'textarea', value: pledge.text ?? '' }),
    field({ name: 'rest', label: '代码表与考试安排（JSON）', type: 'textarea', value: JSON.stringify(rest, null, 2),
      hint: 'codeLists（文化程度、外语语种、照顾加分政策、免试类别等）和 examination（科类组、科目、时间）' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, `保存 ${year} 年度设置`)));
  form.querySelector('textarea[data-field="rest"]').classList.add('json');
  form.querySelector('textarea[data-field="rest"]').rows = 16;
  form.querySelector('textarea[data-field="pledge.text"]').rows = 6;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button[type=submit]'), form, async () => {
      const input = values(form);
      let others;
      try { others = JSON.parse(input.rest ?? '{}'); } catch {
        throw Object.assign(new Error('JSON 格式有误'), { fields: [{ field: 'rest', message: 'JSON 格式有误，请检查括号、引号和逗号' }] });
      }
      const document = {
        ...others, year,
        calendar: {
          registrationOpens: instant(input['calendar.registrationOpens']), registrationCloses: instant(input['calendar.registrationCloses']),
          localOnlyUntil: instant(input['calendar.localOnlyUntil']), paymentDeadline: instant(input['calendar.paymentDeadline']),
          ageReferenceDate: input['calendar.ageReferenceDate'], lowAgeBelow: Number(input['calendar.lowAgeBelow']),
          localOnlyCities: (input['calendar.localOnlyCities'] ?? '').split(/[,，\s]+/).filter(Boolean),
          cityOpenings: openings(input['calendar.cityOpenings']),
        },
        feeFen: Math.round(Number(input.feeFen ?? 0) * 100),
        pledge: { version: input['pledge.version'] ?? '', text: input['pledge.text'] ?? '' },
      };
      await staffCall('PUT', `/api/registration/staff/exam-years/${year}`, document);
      clearErrors(form);
      form.prepend(banner(`${year} 年度设置已保存，并成为当前年度`, 'ok'));
    });
  });

  const catalogue = fileInput('catalogue', '招生专业目录（UTF-8 CSV）', '.csv,text/csv');
  const upload = h('button', { type: 'button', id: 'upload-catalogue' }, '导入招生专业目录');
  const catalogueCard = h('section', { class: 'card' }, h('h3', {}, '招生专业目录'),
    h('p', { class: 'hint' }, '整份替换：全部行有效才导入，有误时逐行列出。'), catalogue.element, h('div', { class: 'actions' }, upload));
  upload.addEventListener('click', () => act(upload, catalogueCard, async () => {
    const chosen = catalogue.file();
    if (!chosen) throw Object.assign(new Error('请选择文件'), { fields: [{ field: 'catalogue', message: '请选择文件' }] });
    const imported = await staffCall('PUT', `/api/registration/staff/exam-years/${year}/catalogue`, new Blob([await chosen.arrayBuffer()], { type: 'text/csv' }));
    clearErrors(catalogueCard);
    catalogueCard.prepend(banner(`已导入 ${imported.majors} 个专业`, 'ok'));
  }));

  show(`${year} 年度设置`, saved ? null : banner(`${year} 年度尚未设置：请填写全部内容后保存。`),
    h('section', { class: 'card' }, form), catalogueCard);
}
