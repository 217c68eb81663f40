// After the exam (province): scores and admissions imported from the tables the province keeps,
// with a report per row; the registration forms (考生登记表) of an institution's admitted
// candidates; and names the font could not print, listed so that no blank box goes unseen.
import { download } from '/shared/api.js';
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { cells, fileInput, show, staffCall, table, when } from './kit.js';

const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const kindNames = { admission_ticket: '准考证', flow_form: '报名流程表', registration_record: '考生登记表', site_pack: '考点材料' };

function importCard(id, title, path, hint) {
  const chooser = fileInput('file', `${title}文件（CSV 或 XLSX）`, `.csv,.xlsx,text/csv,${xlsx}`);
  const report = h('div', { id: `${id}-report` });
  const button = h('button', { type: 'button', id: `${id}-upload` }, `导入${title}`);
  const card = h('section', { class: 'card' }, h('h3', {}, `导入${title}`), h('p', { class: 'hint' }, hint), chooser.element, h('div', { class: 'actions' }, button), report);
  button.addEventListener('click', () => act(button, card, async () => {
    const chosen = chooser.file();
    if (!chosen) throw Object.assign(new Error('请选择文件'), { fields: [{ field: 'file', message: '请选择文件' }] });
    const type = chosen.name.toLowerCase().endsWith('.xlsx') ? xlsx : 'text/csv';
    const result = await staffCall('POST', path, new Blob([await chosen.arrayBuffer()], { type }));
    clearErrors(card);
    const refused = result.rows.filter((row) => row.outcome === 'refused');
    report.replaceChildren(banner(`已导入 ${result.imported} 行，未导入 ${result.refused} 行`, result.refused ? 'error' : 'ok'),
      refused.length ? table(`${id}-refused`, '未导入的行', ['行', '考生号', '原因'], refused.map((row) => h('tr', {}, cells(String(row.line), row.candidateNumber, row.message)))) : null);
  }));
  return card;
}

export async function resultsView() {
  const problems = await staffCall('GET', '/api/documents/staff/document-problems').catch(() => ({ problems: [] }));
  const records = h('form', { novalidate: true, id: 'records-form' },
    field({ name: 'institution', label: '院校代码', required: true, inputmode: 'numeric', hint: '打印该院校录取考生的考生登记表（每人一页）' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '下载考生登记表')));
  records.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(records.querySelector('button'), records, async () => {
      const { institution = '' } = values(records);
      if (!institution) throw Object.assign(new Error('请填写院校代码'), { fields: [{ field: 'institution', message: '请填写院校代码' }] });
      download(await staffCall('GET', `/api/documents/staff/registration-records/${encodeURIComponent(institution)}`), `考生登记表-${institution}.pdf`);
      clearErrors(records);
    });
  });
  show('成绩、录取与考生登记表',
    importCard('scores', '成绩', '/api/documents/staff/exam-results/scores', '列：考生号、各科目成绩、可选总分；档案分 = 总分 + 照顾加分。'),
    importCard('admissions', '录取信息', '/api/documents/staff/exam-results/admissions', '列：考生号、院校代码、院校名称、专业代码、专业名称、可选诚信记录。'),
    h('section', { class: 'card' }, h('h3', {}, '考生登记表'), records),
    h('section', { class: 'card' }, h('h3', {}, '字体缺字'), problems.problems.length
      ? table('glyph-problems', '字体缺字的文件', ['文件', '考生', '字段', '缺的字', '发现时间'],
        problems.problems.map((p) => h('tr', {}, cells(kindNames[p.kind] ?? p.kind, p.candidateID === null ? p.subject : String(p.candidateID), p.field, p.characters, when(p.notedAt)))))
      : h('p', {}, '没有缺字的文件。')));
}
