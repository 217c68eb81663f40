// The staff console (管理信息系统): one page, its views chosen by the address's #fragment, each
// shown only to the roles it serves. Staff sign in at the Review service; the same session and
// CSRF token work on every service's /staff routes.
import { download, forgetToken, onSessionExpired, rememberToken } from '/shared/api.js';
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { startRouter } from '/shared/router.js';
import { slotsView } from './appointments.js';
import { examSitesView, numberingView } from './arrangement.js';
import { resultsView } from './documents.js';
import { examYearView } from './examyear.js';
import { fileInput, follow, show, staffCall } from './kit.js';
import { reconciliationView, unpaidView } from './payments.js';
import { bonusClaimsView, exemptionsView, permitReviewsView, reportsView } from './reviews.js';

const nav = document.getElementById('nav');
const documentTypes = [['resident_id', '居民身份证'], ['hmt_permit', '港澳台居民居住证'], ['overseas_chinese_passport', '华侨护照'], ['foreigner_residence_permit', '外国人永久居留身份证']];
const levelNames = { high_school_to_bachelor: '高中起点升本科', high_school_to_associate: '高中起点升专科', associate_to_bachelor: '专科起点升本科' };
const formNames = { part_time: '业余', correspondence: '函授', full_time: '脱产' };
const statusNames = { registered: '已注册', submitted: '已提交', pending_city_review: '待市级审核', confirmed: '已确认', paid: '已缴费', exempt: '免试', invalid: '无效' };
let member = JSON.parse(sessionStorage.getItem('exam.staff') ?? 'null');

onSessionExpired(() => {
  forgetToken('staff');
  sessionStorage.removeItem('exam.staff');
  member = null;
  if (!location.hash.startsWith('#/login')) location.hash = '#/login?expired';
});

// Each member sees the work of their roles only (the services refuse the rest anyway).
const menuEntries = [
  ['#/desk', '现场确认', ['point_operator']],
  ['#/slots', '预约时段', ['point_operator', 'county_officer']],
  ['#/paper-forms', '纸质草表', ['point_operator']],
  ['#/unpaid', '未缴费', ['point_operator', 'county_officer', 'city_officer', 'province_admin']],
  ['#/points', '报名确认点', ['county_officer', 'city_officer', 'province_admin']],
  ['#/permit-reviews', '持证审核', ['city_officer']],
  ['#/exemptions', '免试审核', ['city_officer', 'province_admin']],
  ['#/bonus-claims', '加分审核', ['city_officer']],
  ['#/reports', '数据上报', ['county_officer', 'city_officer', 'province_admin']],
  ['#/exam-sites', '考点', ['county_officer', 'city_officer', 'province_admin']],
  ['#/numbering', '编排', ['province_admin']],
  ['#/results', '成绩录取', ['province_admin']],
  ['#/reconciliation', '对账', ['province_admin']],
  ['#/exam-year', '年度设置', ['province_admin']],
  ['#/applications', '账号审批', ['county_officer', 'city_officer', 'province_admin']],
];
const allowed = (key) => menuEntries.find(([path]) => path === key)?.[2].some((role) => member.roles.includes(role)) ?? true;

function menu() {
  if (!member) { nav.replaceChildren(); return; }
  nav.replaceChildren(h('span', {}, `${member.name}（${member.nodeName ?? member.nodeID}）`),
    ...menuEntries.filter(([path]) => allowed(path)).map(([path, label]) => h('a', { href: path, 'aria-current': location.hash.startsWith(path) ? 'page' : undefined }, label)),
    h('button', { class: 'link', type: 'button', onclick: logout }, '退出登录'));
}

async function logout() {
  await staffCall('DELETE', '/api/review/staff/session').catch(() => {});
  forgetToken('staff');
  sessionStorage.removeItem('exam.staff');
  member = null;
  location.hash = '#/login';
}

async function loginView(expired) {
  menu();
  const form = h('form', { novalidate: true },
    field({ name: 'username', label: '用户名', required: true, autocomplete: 'username' }),
    field({ name: 'password', label: '密码', type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '登录'), h('a', { href: '#/apply' }, '申请工作人员账号')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      const signed = await staffCall('POST', '/api/review/staff/session', values(form));
      rememberToken('staff', signed.csrfToken);
      member = signed.staff;
      sessionStorage.setItem('exam.staff', JSON.stringify(member));
      location.hash = member.roles.includes('point_operator') ? '#/desk' : '#/home';
    });
  });
  show('工作人员登录', expired ? banner('登录已过期，请重新登录。', 'error') : null, h('section', { class: 'card' }, form));
}

function homeView() {
  menu();
  show('工作台', h('section', { class: 'card' }, h('p', {}, `欢迎，${member.name}。请从上方菜单选择工作。`)));
}

// The operator desk: find the candidate by the ID card, check what they submitted, take the
// photo (camera or the card reader's file), confirm, print the flow form.
function deskView() {
  menu();
  const result = h('div', { id: 'desk-candidate' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'grid' },
      field({ name: 'documentType', label: '证件类型', options: documentTypes, value: 'resident_id' }),
      field({ name: 'documentNumber', label: '证件号码', required: true, autocomplete: 'off', hint: '读卡或手工输入' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'find-candidate' }, '查找考生')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      clearErrors(form);
      const found = await staffCall('POST', '/api/confirmation/staff/candidate-lookups', values(form));
      result.replaceChildren(candidateCard(found, values(form)));
    });
  });
  show('现场确认', h('section', { class: 'card' }, form), result);
}

function candidateCard(found, document) {
  const basic = found.form.basic ?? {};
  const choices = found.form.choices ?? [];
  const photoState = h('p', { id: 'photo-state' }, found.photoTaken ? '相片已采集' : '尚未采集相片');
  const card = h('section', { class: 'card' },
    h('h3', {}, `${found.name}（${found.documentNumberMasked}）`),
    h('p', {}, '状态：', h('strong', { id: 'candidate-status' }, statusNames[found.status] ?? found.status), found.candidateNumber ? `，考生号 ${found.candidateNumber}` : ''),
    h('table', {}, h('tbody', {},
      [['性别', basic.gender === 'male' ? '男' : basic.gender === 'female' ? '女' : ''], ['出生日期', basic.birthDate], ['毕业学校', basic.graduatedFrom], ['通讯地址', basic.postalAddress]]
        .map(([label, value]) => h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, value ?? ''))),
      choices.map((c, index) => h('tr', {}, h('th', { scope: 'row' }, `志愿${index + 1}`),
        h('td', {}, `${levelNames[c.level] ?? c.level ?? ''} · 院校 ${c.institutionCode ?? ''} · 专业 ${c.majorCode ?? ''} · ${formNames[c.studyForm] ?? c.studyForm ?? ''}`))))),
    photoState);
  const preview = h('div', { id: 'photo-preview' });
  const upload = fileInput('image', '上传读卡器相片文件（JPEG、PNG 或 BMP）', 'image/jpeg,image/png,image/bmp');
  // The photo as stored (what every document will print), shown back to the operator.
  const showPhoto = async () => {
    const stored = await staffCall('GET', `/api/confirmation/staff/candidates/${found.candidateID}/photo`);
    preview.replaceChildren(h('img', { class: 'photo', src: URL.createObjectURL(stored), alt: `${found.name}的相片` }));
  };
  const send = async (blob) => {
    await staffCall('PUT', `/api/confirmation/staff/candidates/${found.candidateID}/photo`, blob);
    photoState.textContent = '相片已采集';
    await showPhoto();
  };
  upload.input.addEventListener('change', (event) => {
    const file = event.currentTarget.files[0];
    if (file) act(event.currentTarget, card, () => send(file));
  });
  const video = h('video', { autoplay: true, playsinline: true, muted: true, hidden: true, 'aria-label': '摄像头画面' });
  const camera = h('button', { type: 'button', class: 'secondary', id: 'start-camera' }, '打开摄像头');
  const capture = h('button', { type: 'button', class: 'secondary', id: 'capture-photo', disabled: true }, '拍照并上传');
  camera.addEventListener('click', () => act(camera, card, async () => {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: true });
    video.hidden = false;
    capture.disabled = false;
  }));
  capture.addEventListener('click', () => act(capture, card, async () => {
    const canvas = h('canvas', { width: 480, height: 640 });
    const scale = Math.max(480 / video.videoWidth, 640 / video.videoHeight);
    const width = video.videoWidth * scale, height = video.videoHeight * scale;
    canvas.getContext('2d').drawImage(video, (480 - width) / 2, (640 - height) / 2, width, height);
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.9));
    video.srcObject?.getTracks().forEach((track) => track.stop());
    video.hidden = true;
    await send(blob);
  }));
  const confirm = h('button', { type: 'button', id: 'confirm-candidate' }, '确认报名信息');
  confirm.addEventListener('click', () => act(confirm, card, async () => {
    // A permit holder's confirmation carries the operator's notes for the city's review.
    const notes = card.querySelector('[data-field="notes"]')?.value.trim();
    const confirmed = await staffCall('POST', '/api/confirmation/staff/confirmations', notes ? { ...document, notes } : document);
    card.querySelector('#candidate-status').textContent = statusNames[confirmed.status] ?? confirmed.status;
    card.prepend(banner(confirmed.candidateNumber ? `已确认，考生号 ${confirmed.candidateNumber}` : '已提交市级审核', 'ok'));
  }));
  const flowForm = h('button', { type: 'button', class: 'secondary', id: 'print-flow-form' }, '打印报名流程表');
  flowForm.addEventListener('click', () => act(flowForm, card, async () => {
    const requested = await staffCall('POST', `/api/confirmation/staff/candidates/${found.candidateID}/flow-form`);
    download(await staffCall('GET', `/api/documents/staff/document-requests/${requested.requestID}/pdf`), '报名流程表.pdf');
  }));
  if (found.photoTaken) showPhoto().catch(() => {});
  card.append(...[h('h3', {}, '采集相片'), preview, upload.element, h('div', { class: 'actions' }, camera, capture), video,
    document.documentType !== 'resident_id' ? scansPart(found) : null, bonusPart(found),
    h('div', { class: 'actions' }, confirm, flowForm)].filter(Boolean));
  return card;
}

// A permit holder's documents, scanned at the desk for the city's review.
function scansPart(found) {
  const scan = fileInput('image', '证件扫描件（JPEG、PNG 或 BMP）', 'image/jpeg,image/png,image/bmp');
  const { input } = scan;
  const state = h('p', { id: 'scan-state', 'aria-live': 'polite' }, '港澳台、外籍证件须上传扫描件，由市级审核。');
  const part = h('div', {}, h('h3', {}, '证件审核'), scan.element, state,
    field({ name: 'notes', label: '资格审核意见（供市级审核）', type: 'textarea', hint: '如：港澳居民来往内地通行证原件已核验，复印件已留存' }));
  let count = 0;
  input.addEventListener('change', () => {
    const file = input.files[0];
    if (file) act(input, part, async () => {
      await staffCall('POST', `/api/confirmation/staff/candidates/${found.candidateID}/document-scans`, file);
      state.textContent = `已上传 ${++count} 份扫描件`;
      input.value = '';
    });
  });
  return part;
}

// Bonus-point claims (照顾加分) recorded with their evidence; only the highest one counts.
function bonusPart(found) {
  const list = h('div', { id: 'bonus-claims' });
  const draw = (bonus) => list.replaceChildren(bonus.claims.length
    ? h('ul', {}, bonus.claims.map((c) => h('li', {}, `${c.policyName}（${c.points} 分）：${c.evidence}${c.policyCode === bonus.countedPolicyCode ? '，计入' : ''}`)))
    : h('p', { class: 'muted' }, '未登记照顾加分。'));
  const form = h('form', { novalidate: true, id: 'bonus-form' }, h('div', { class: 'grid' },
    field({ name: 'policyCode', label: '照顾加分政策', options: [] }), field({ name: 'evidence', label: '证明材料', hint: '如：退役证编号' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, '登记加分')));
  staffCall('GET', '/api/registration/exam-year').then((year) => {
    form.querySelector('select').append(...(year.codeLists.bonusPolicies ?? []).map((p) => h('option', { value: p.code }, `${p.name}（${p.points ?? 0} 分）`)));
  }).catch(() => {});
  staffCall('GET', `/api/confirmation/staff/candidates/${found.candidateID}/bonus-claims`).then(draw).catch(() => {});
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      draw(await staffCall('POST', `/api/confirmation/staff/candidates/${found.candidateID}/bonus-claims`, { policyCode: '', evidence: '', ...values(form) }));
      clearErrors(form);
    });
  });
  return h('div', {}, h('h3', {}, '照顾加分'), list, form);
}

// Confirmation points (报名确认点): a county proposes, its city reviews, the province approves
// (or either returns it with a reason). Each member sees the points of their subtree and only
// the actions of their role.
const pointStatus = { proposed: '待市州审核', city_reviewed: '待省级审定', approved: '已审定', returned: '已退回' };
const levelChoices = [['high_school_to_bachelor', '高起本'], ['high_school_to_associate', '高起专'], ['associate_to_bachelor', '专升本']];

async function pointsView() {
  menu();
  const roles = new Set(member.roles);
  const points = await staffCall('GET', '/api/confirmation/staff/points');
  const decide = (point, path, body, button, row) => act(button, row, async () => {
    await staffCall('POST', `/api/confirmation/staff/points/${encodeURIComponent(point.id)}/${path}`, body());
    route();
  });
  const rows = points.map((point) => {
    const reason = field({ name: 'reason', label: `${point.name} 的退回原因`, hint: '退回时必填' });
    const row = h('tr', { 'data-point': point.id },
      h('td', {}, point.name), h('td', {}, point.address), h('td', { class: 'point-status' }, pointStatus[point.status] ?? point.status,
        point.statusReason ? `（${point.statusReason}）` : ''),
      h('td', {}));
    const cell = row.lastChild;
    const reasonValue = () => reason.querySelector('input').value.trim() || undefined;
    if (roles.has('city_officer') && point.status === 'proposed') {
      const pass = h('button', { type: 'button', class: 'pass' }, '审核通过');
      const back = h('button', { type: 'button', class: 'secondary' }, '退回');
      pass.addEventListener('click', () => decide(point, 'review', () => ({ approve: true }), pass, row));
      back.addEventListener('click', () => decide(point, 'review', () => ({ approve: false, reason: reasonValue() }), back, row));
      cell.append(reason, h('div', { class: 'actions' }, pass, back));
    }
    if (roles.has('province_admin') && point.status === 'city_reviewed') {
      const approve = h('button', { type: 'button', class: 'approve' }, '审定');
      const back = h('button', { type: 'button', class: 'secondary' }, '退回');
      approve.addEventListener('click', () => decide(point, 'approve', () => ({}), approve, row));
      back.addEventListener('click', () => decide(point, 'return', () => ({ reason: reasonValue() }), back, row));
      cell.append(reason, h('div', { class: 'actions' }, approve, back));
    }
    return row;
  });
  let proposal = null;
  if (roles.has('county_officer')) {
    proposal = h('form', { novalidate: true, id: 'point-proposal' },
      h('div', { class: 'grid' },
        field({ name: 'name', label: '确认点名称', required: true }), field({ name: 'address', label: '地址', required: true }),
        field({ name: 'contact', label: '联系人', required: true }), field({ name: 'phone', label: '联系电话', required: true, type: 'tel' }),
        field({ name: 'dailyCapacity', label: '每日可办理人数', type: 'number', value: '500' }),
        field({ name: 'hours', label: '办理时间', value: '08:00-12:00,14:30-17:30', hint: '如 08:00-12:00,14:30-17:30' })),
      h('fieldset', { 'data-group': 'levels' }, h('legend', {}, '可办理的层次'), h('p', { class: 'error', role: 'alert' }),
        levelChoices.map(([value, label]) => h('label', {}, h('input', { type: 'checkbox', name: 'levels', value, checked: true }), ` ${label} `))),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, '申报确认点')));
    proposal.addEventListener('submit', async (event) => {
      event.preventDefault();
      await act(proposal.querySelector('button[type=submit]'), proposal, async () => {
        const input = values(proposal);
        await staffCall('POST', '/api/confirmation/staff/points', {
          name: input.name, address: input.address, contact: input.contact, phone: input.phone,
          dailyCapacity: Number(input.dailyCapacity ?? 500),
          hours: (input.hours ?? '').split(/[,，]/).filter(Boolean).map((span) => span.trim().split('-')),
          levels: [...proposal.querySelectorAll('input[name=levels]:checked')].map((box) => box.value),
          lowAge: false, medical: false,
        });
        route();
      });
    });
  }
  // What awaits someone first; the approved ones folded away (a province has thousands).
  const table = (caption, list, id) => h('table', { id },
    h('caption', { class: 'visually-hidden' }, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, '名称'), h('th', { scope: 'col' }, '地址'), h('th', { scope: 'col' }, '状态'), h('th', { scope: 'col' }, '操作'))),
    h('tbody', {}, list));
  const open = rows.filter((row, index) => points[index].status !== 'approved');
  const approved = rows.filter((row, index) => points[index].status === 'approved');
  show('报名确认点',
    proposal ? h('section', { class: 'card' }, h('h3', {}, '申报新的确认点'), proposal) : null,
    h('section', { class: 'card' }, h('h3', {}, `审核中和已退回（${open.length}）`), table('审核中和已退回的确认点', open, 'points'),
      h('details', {}, h('summary', {}, `已审定的确认点（${approved.length}）`), table('已审定的确认点', approved, 'approved-points'))));
}

// Paper draft forms (信息采集草表) a point collected during an outage: the batch file uploaded,
// the registration worker's progress shown as it imports, the per-row report to download.
function paperFormsView() {
  menu();
  const progress = h('progress', { id: 'batch-progress', max: 100, value: 0, 'aria-label': '导入进度' });
  const state = h('p', { id: 'batch-state', 'aria-live': 'polite' }, '尚未上传');
  const report = h('div', { class: 'actions' });
  const file = fileInput('file', '草表文件（CSV 或 XLSX，第一行为列名）', '.csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const upload = h('button', { type: 'button', id: 'upload-batch' }, '上传并导入');
  const card = h('section', { class: 'card' }, file.element,
    h('div', { class: 'actions' }, upload), progress, state, report);
  upload.addEventListener('click', () => act(upload, card, async () => {
    const chosen = file.file();
    if (!chosen) { state.textContent = '请先选择文件'; return; }
    clearErrors(card);
    const started = await staffCall('POST', `/api/confirmation/staff/paper-forms?fileName=${encodeURIComponent(chosen.name)}`,
      new Blob([await chosen.arrayBuffer()], { type: 'application/octet-stream' }));
    const finished = (batch) => ['done', 'failed'].includes(batch.status);
    const batch = finished(started) ? started : await follow(() => staffCall('GET', `/api/confirmation/staff/paper-forms/${started.batchID}`), finished,
      (batch) => {
        if (finished(batch)) return;
        const percent = batch.totalRows ? Math.floor((batch.processedRows * 100) / batch.totalRows) : 0;
        progress.value = percent;
        state.textContent = batch.totalRows ? `正在导入：${batch.processedRows}/${batch.totalRows} 行（${percent}%）` : '排队等待导入…';
      });
    progress.value = batch.status === 'done' ? 100 : progress.value;
    state.textContent = batch.status === 'done'
      ? `导入完成（100%）：新建 ${batch.created}，更新 ${batch.updated}，未变 ${batch.unchanged}，有误 ${batch.errors} 行`
      : `导入失败：${batch.failure ?? ''}`;
    const get = h('button', { type: 'button', class: 'secondary', id: 'batch-report' }, '下载逐行报告');
    get.addEventListener('click', () => act(get, card, async () =>
      download(await staffCall('GET', `/api/confirmation/staff/paper-forms/${batch.batchID}/report`), `草表导入报告-${chosen.name}.csv`)));
    report.replaceChildren(get);
  }));
  show('纸质草表导入', card);
}

// Staff accounts: anyone applies at their unit; an officer of the unit's subtree approves (with
// the roles the unit allows) or rejects with a reason.
const roleNames = [['point_operator', '确认点工作人员'], ['county_officer', '县市区招考人员'], ['city_officer', '市州招考人员'], ['province_admin', '省级管理员'], ['auditor', '审计人员']];

function applyView() {
  menu();
  const form = h('form', { novalidate: true },
    h('div', { class: 'grid' },
      field({ name: 'username', label: '用户名', required: true, autocomplete: 'username', hint: '字母、数字或下划线' }),
      field({ name: 'name', label: '姓名', required: true, autocomplete: 'name' }),
      field({ name: 'phone', label: '手机号码', required: true, type: 'tel', inputmode: 'numeric' }),
      field({ name: 'nodeID', label: '所在单位代码', required: true, hint: '县市区行政区划代码（如 430102）、市州代码或确认点编号' }),
      field({ name: 'password', label: '密码', type: 'password', required: true, autocomplete: 'new-password' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '提交申请'), h('a', { href: '#/login' }, '返回登录')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      await staffCall('POST', '/api/review/staff/applications', values(form));
      clearErrors(form);
      const done = banner('申请已提交，请等待所在单位的上级审批后登录。', 'ok');
      done.id = 'application-sent';
      form.prepend(done);
      done.focus();
    });
  });
  show('申请工作人员账号', h('section', { class: 'card' }, form));
}

async function applicationsView() {
  menu();
  const pending = await staffCall('GET', '/api/review/staff/applications');
  const rows = pending.map((account) => {
    const role = field({ name: 'roles', label: `${account.username} 的角色`, options: roleNames });
    const reason = field({ name: 'reason', label: `${account.username} 的驳回原因`, hint: '驳回时必填' });
    const approve = h('button', { type: 'button', class: 'approve' }, '批准');
    const reject = h('button', { type: 'button', class: 'secondary' }, '驳回');
    const row = h('tr', { 'data-username': account.username },
      h('td', {}, account.username), h('td', {}, account.name), h('td', {}, account.nodeName ?? account.nodeID),
      h('td', {}, role, reason, h('div', { class: 'actions' }, approve, reject)));
    approve.addEventListener('click', () => act(approve, row, async () => {
      await staffCall('POST', `/api/review/staff/applications/${account.id}/approve`, { roles: [role.querySelector('select').value].filter(Boolean) });
      route();
    }));
    reject.addEventListener('click', () => act(reject, row, async () => {
      await staffCall('POST', `/api/review/staff/applications/${account.id}/reject`, { reason: reason.querySelector('input').value.trim() || undefined });
      route();
    }));
    return row;
  });
  show('账号审批', h('section', { class: 'card' },
    rows.length ? h('table', { id: 'applications' },
      h('thead', {}, h('tr', {}, ['用户名', '姓名', '单位', '审批'].map((title) => h('th', { scope: 'col' }, title)))), h('tbody', {}, rows))
      : h('p', {}, '没有待审批的申请。')));
}

// Each view draws its menu first; a view outside the member's roles is not offered.
const withMenu = (view) => () => { menu(); return view(member); };
const views = { '#/login': () => loginView(location.hash.includes('expired')), '#/apply': applyView, '#/home': homeView, '#/desk': deskView,
  '#/points': pointsView, '#/paper-forms': paperFormsView, '#/applications': applicationsView,
  '#/slots': withMenu(slotsView), '#/unpaid': withMenu(unpaidView), '#/reconciliation': withMenu(reconciliationView),
  '#/permit-reviews': withMenu(permitReviewsView), '#/exemptions': withMenu(exemptionsView), '#/bonus-claims': withMenu(bonusClaimsView),
  '#/reports': withMenu(reportsView), '#/exam-sites': withMenu(examSitesView), '#/numbering': withMenu(numberingView),
  '#/results': withMenu(resultsView), '#/exam-year': withMenu(examYearView) };

const route = startRouter(views,
  (key) => !member && key !== '#/login' && key !== '#/apply' ? '#/login'
    : !key ? (member.roles.includes('point_operator') ? '#/desk' : '#/home')
    : member && !allowed(key) ? '#/home' : null,
  (error) => show('出错了', banner(error.message, 'error')));
