// The candidate portal (网上报名系统): one page, its views chosen by the address's #fragment.
// Each view reads and writes through the services' JSON APIs; values are put in as text only.
import { api, download, forgetToken, onSessionExpired, rememberToken } from '/shared/api.js';
import { act, banner, clearErrors, field, h, values } from '/shared/dom.js';
import { startRouter } from '/shared/router.js';

const app = document.getElementById('app');
const nav = document.getElementById('nav');
const levels = [['high_school_to_bachelor', '高中起点升本科'], ['high_school_to_associate', '高中起点升专科'], ['associate_to_bachelor', '专科起点升本科']];
const forms = [['part_time', '业余'], ['correspondence', '函授'], ['full_time', '脱产']];
const documentTypes = [['resident_id', '居民身份证'], ['hmt_permit', '港澳台居民居住证'], ['overseas_chinese_passport', '华侨护照'], ['foreigner_residence_permit', '外国人永久居留身份证']];
// What was typed into the form, kept for this browser tab if the session ends before it is saved.
const unsavedKey = 'exam.form.unsaved';

onSessionExpired(() => {
  forgetToken('candidate');
  if (!location.hash.startsWith('#/login')) location.hash = '#/login?expired';
});

function show(title, ...content) {
  document.title = `${title} - 成人高考网上报名系统`;
  app.replaceChildren(h('h2', {}, title), ...content.filter(Boolean));
  app.focus();
}

function menu(signedIn) {
  nav.replaceChildren(...(signedIn
    ? [h('a', { href: '#/status' }, '报名状态'), h('a', { href: '#/form' }, '报名信息'), h('a', { href: '#/appointment' }, '预约确认'),
       h('button', { class: 'link', type: 'button', onclick: logout }, '退出登录')]
    : [h('a', { href: '#/login' }, '登录'), h('a', { href: '#/signup' }, '注册')]));
}

async function logout() {
  await api('DELETE', '/api/registration/session').catch(() => {});
  forgetToken('candidate');
  location.hash = '#/login';
}

// ---- signing up and in

async function loginView(expired) {
  menu(false);
  const year = await api('GET', '/api/registration/exam-year').catch(() => null);
  const form = h('form', { novalidate: true },
    field({ name: 'documentType', label: '证件类型', options: documentTypes, value: 'resident_id' }),
    field({ name: 'documentNumber', label: '证件号码', required: true, autocomplete: 'username' }),
    field({ name: 'password', label: '密码', type: 'password', required: true, autocomplete: 'current-password' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '登录'), h('a', { href: '#/signup' }, '注册新账号'), h('a', { href: '#/reset' }, '忘记密码')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      const signed = await api('POST', '/api/registration/session', values(form));
      rememberToken('candidate', signed.csrfToken);
      location.hash = '#/status';
    });
  });
  show('考生登录',
    expired ? banner('登录已过期，请重新登录；未保存的填写内容已为您保留。', 'error') : null,
    year ? h('section', { class: 'card' }, h('p', {}, `${year.year} 年成人高考网上报名：`,
      `${new Date(year.calendar.registrationOpens).toLocaleString('zh-CN')} 至 ${new Date(year.calendar.registrationCloses).toLocaleString('zh-CN')}；`,
      `报名考试费 ${(year.feeFen / 100).toFixed(2)} 元。`,
      year.calendar.cityOpenings?.length ? '为错峰报名，部分市州开放时间较晚，登录后可查看本市州的开始时间。' : '')) : null,
    h('section', { class: 'card' }, form));
}

async function signupView() {
  menu(false);
  const counties = await api('GET', '/api/registration/counties');
  const form = h('form', { novalidate: true },
    h('div', { class: 'grid' },
      field({ name: 'documentType', label: '证件类型', options: documentTypes, value: 'resident_id', required: true }),
      field({ name: 'documentNumber', label: '证件号码', required: true, autocomplete: 'username', hint: '证件号码即登录名，一人一个账号' }),
      field({ name: 'name', label: '姓名', required: true, autocomplete: 'name' }),
      field({ name: 'phone', label: '手机号码', required: true, type: 'tel', inputmode: 'numeric', autocomplete: 'tel' }),
      field({ name: 'countyID', label: '报名所在县市区', required: true, options: counties.map((c) => [c.id, `${c.cityName} ${c.name}`]) }),
      field({ name: 'password', label: '密码', type: 'password', required: true, autocomplete: 'new-password', hint: '至少 8 位，含字母和数字' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '注册')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      const input = values(form);
      await api('POST', '/api/registration/accounts', input);
      const signed = await api('POST', '/api/registration/session', { documentType: input.documentType, documentNumber: input.documentNumber, password: input.password });
      rememberToken('candidate', signed.csrfToken);
      location.hash = '#/status';
    });
  });
  show('注册账号', h('section', { class: 'card' }, form));
}

// A forgotten password: a code sent by SMS to the phone the account registered, then a new one.
function resetView() {
  menu(false);
  const request = h('form', { novalidate: true, id: 'reset-request' },
    h('div', { class: 'grid' },
      field({ name: 'documentType', label: '证件类型', options: documentTypes, value: 'resident_id', required: true }),
      field({ name: 'documentNumber', label: '证件号码', required: true, autocomplete: 'username' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '发送验证码到注册手机')));
  const reset = h('form', { novalidate: true, id: 'reset-form', hidden: true },
    h('div', { class: 'grid' },
      field({ name: 'code', label: '短信验证码', required: true, inputmode: 'numeric' }),
      field({ name: 'newPassword', label: '新密码', type: 'password', required: true, autocomplete: 'new-password', hint: '至少 8 位，含字母和数字' })),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, '重设密码')));
  request.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(request.querySelector('button'), request, async () => {
      const sent = await api('POST', '/api/registration/password-reset/code', values(request));
      clearErrors(request);
      request.prepend(banner(sent.message, 'ok'));
      reset.hidden = false;
      reset.querySelector('input').focus();
    });
  });
  reset.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(reset.querySelector('button'), reset, async () => {
      await api('POST', '/api/registration/password-reset', { ...values(request), ...values(reset) });
      clearErrors(reset);
      const done = banner('密码已重设，请用新密码登录。', 'ok');
      done.id = 'reset-done';
      reset.replaceChildren(done, h('a', { href: '#/login' }, '去登录'));
      done.focus();
    });
  });
  show('重设密码', h('section', { class: 'card' }, request, reset));
}

// ---- where the candidate stands

async function statusView() {
  menu(true);
  const status = await api('GET', '/api/registration/registration/status');
  const order = ['confirmed', 'paid'].includes(status.status) ? await api('GET', '/api/payment/orders/current').catch(() => null) : null;
  const actions = h('div', { class: 'actions' });
  if (['registered', 'submitted'].includes(status.status)) actions.append(h('a', { href: '#/form' }, '填写或修改报名信息'));
  if (status.status === 'submitted') actions.append(h('a', { href: '#/appointment' }, '预约现场确认时段'));
  if (status.status === 'confirmed') actions.append(h('a', { href: '#/pay' }, '网上缴费'));
  if (['submitted', 'pending_city_review', 'confirmed', 'paid'].includes(status.status)) actions.append(h('a', { href: '#/exemption' }, '免试入学申请'));
  if (['confirmed', 'paid'].includes(status.status)) {
    const flowForm = h('button', { type: 'button', class: 'secondary', id: 'download-flow-form' }, '下载报名流程表');
    flowForm.addEventListener('click', () => act(flowForm, app, async () => download(await api('GET', '/api/documents/flow-form.pdf'), '报名流程表.pdf')));
    actions.append(flowForm);
  }
  if (status.status === 'paid') {
    const button = h('button', { type: 'button' }, '下载准考证');
    button.addEventListener('click', () => act(button, app, async () => download(await api('GET', '/api/documents/admission-ticket.pdf'), '准考证.pdf')));
    actions.append(button);
  }
  show('报名状态',
    h('section', { class: 'card' },
      h('p', {}, '当前状态：', h('strong', { id: 'status-name' }, status.statusName)),
      h('p', {}, '下一步：', status.nextStep),
      status.registrationOpens && new Date(status.registrationOpens) > new Date()
        ? h('p', { id: 'opens-for-you' }, '为错峰报名，本市州网上报名开始时间：',
          h('strong', {}, new Date(status.registrationOpens).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })), '（北京时间），届时即可提交。')
        : null,
      status.problems.length ? h('div', {}, h('h3', {}, '尚需完成'), h('ul', {}, status.problems.map((p) => h('li', {}, p.message ?? String(p))))) : null,
      order ? h('p', {}, `缴费订单 ${order.orderNo}：${order.status === 'paid' ? '已缴费' : order.status}`) : null,
      actions));
}

// ---- the pledge and the form

async function formView() {
  menu(true);
  const [year, saved, pledge, tables] = await Promise.all([
    api('GET', '/api/registration/exam-year'), api('GET', '/api/registration/registration'), api('GET', '/api/registration/pledge'),
    api('GET', '/api/registration/code-tables')]);
  const unsaved = JSON.parse(sessionStorage.getItem(unsavedKey) ?? 'null');
  const given = { ...flatten(saved.form), ...(unsaved ?? {}) };
  const codes = (list) => (list ?? []).map((c) => [c.code, c.name]);
  const lists = year.codeLists;
  const text = (name, label, extra = {}) => field({ name, label, value: given[name] ?? '', ...extra });
  const points = await api('GET', '/api/registration/confirmation-points').catch(() => []);

  const pledgeBox = saved.pledgeVersion === pledge.version ? null : h('section', { class: 'card' },
    h('h3', {}, '诚信考试承诺书'), h('p', {}, pledge.text),
    h('button', { type: 'button', id: 'sign-pledge', onclick: async (event) => {
      await act(event.currentTarget, app, async () => {
        await api('POST', '/api/registration/registration/pledge', { version: pledge.version });
        pledgeBox.replaceChildren(banner('已签署诚信考试承诺书', 'ok'));
      });
    } }, '我已阅读并签署'));

  const form = h('form', { novalidate: true },
    h('fieldset', {}, h('legend', {}, '一、基本信息'), h('div', { class: 'grid' },
      text('basic.gender', '性别', { options: [['male', '男'], ['female', '女']], required: true }),
      text('basic.birthDate', '出生日期', { type: 'date', required: true }),
      text('basic.ethnicGroup', '民族', { options: codes(tables.ethnicGroups), required: true }),
      text('basic.politicalStatus', '政治面貌', { options: codes(tables.politicalStatuses), required: true }))),
    h('fieldset', {}, h('legend', {}, '二、学历与职业'), h('div', { class: 'grid' },
      text('basic.educationLevel', '文化程度', { options: codes(lists.educationLevels), required: true }),
      text('basic.graduatedFrom', '毕业学校', { required: true }),
      text('basic.graduationDate', '毕业日期', { type: 'date', required: true }),
      text('basic.diplomaNumber', '毕业证书编号', { hint: '专科及以上学历须填写' }),
      text('basic.foreignLanguage', '外语语种', { options: codes(lists.foreignLanguages), required: true }),
      text('basic.candidateCharacteristic', '考生特征', { options: codes(lists.candidateCharacteristics), required: true }),
      text('basic.enrolmentCategory', '报名类别', { options: codes(lists.enrolmentCategories), required: true }),
      text('basic.occupationCategory', '职业', { options: codes(lists.occupationCategories), required: true }),
      text('basic.workStartDate', '参加工作时间', { type: 'date' }))),
    h('fieldset', {}, h('legend', {}, '三、联系方式'), h('div', { class: 'grid' },
      text('basic.phone', '联系电话', { type: 'tel', required: true, inputmode: 'numeric' }),
      text('basic.postcode', '邮政编码', { inputmode: 'numeric', maxlength: 6, required: true }),
      text('basic.householdCity', '户籍所在市州代码', { hint: '六位行政区划代码，如 430100', inputmode: 'numeric', maxlength: 6 }),
      text('basic.postalAddress', '通讯地址', { required: true }))),
    h('fieldset', {}, h('legend', {}, '四、报考志愿与确认点'),
      choice(1, given), choice(2, given),
      field({ name: 'confirmationPointID', label: '报名确认点', required: true, value: given.confirmationPointID ?? '',
        options: points.map((p) => [p.id, `${p.name}（${p.address}）`]), hint: '只列出本市可选的确认点；低龄和医卫类考生只能选指定的确认点' })),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: 'save-draft' }, '保存草稿'),
      h('button', { type: 'submit', id: 'submit-form' }, '提交报名信息')));

  form.addEventListener('input', () => sessionStorage.setItem(unsavedKey, JSON.stringify(values(form))));
  form.querySelector('#save-draft').addEventListener('click', (event) => act(event.currentTarget, form, async () => {
    await api('PUT', '/api/registration/registration', nest(values(form)));
    sessionStorage.removeItem(unsavedKey);
    clearErrors(form);
    form.prepend(banner('草稿已保存', 'ok'));
  }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('#submit-form'), form, async () => {
      const submitted = await api('POST', '/api/registration/registration/submit', nest(values(form)));
      sessionStorage.removeItem(unsavedKey);
      clearErrors(form);
      const done = banner(['报名信息已提交。', submitted.notice ?? '请按预约时间到确认点现场确认。'].join(''), 'ok');
      done.id = 'form-result';
      form.prepend(done);
      done.focus();
    });
  });
  show('报名信息', unsaved ? banner('已恢复上次未保存的填写内容，请保存。', 'info') : null, pledgeBox, h('section', { class: 'card' }, form));
}

// One choice: level, category, study form, and the major found in the catalogue.
function choice(number, given) {
  const prefix = `choice${number}`;
  const chosen = h('p', { class: 'muted', id: `${prefix}-chosen`, 'aria-live': 'polite' },
    given[`${prefix}.institutionCode`] ? `已选：${given[`${prefix}.institutionCode`]} / ${given[`${prefix}.majorCode`]}` : '尚未选择专业');
  const institution = h('input', { type: 'hidden', 'data-field': `${prefix}.institutionCode`, value: given[`${prefix}.institutionCode`] ?? '' });
  const major = h('input', { type: 'hidden', 'data-field': `${prefix}.majorCode`, value: given[`${prefix}.majorCode`] ?? '' });
  const category = h('input', { type: 'hidden', 'data-field': `${prefix}.subjectCategory`, value: given[`${prefix}.subjectCategory`] ?? '' });
  const level = field({ name: `${prefix}.level`, label: '报考层次', options: levels, value: given[`${prefix}.level`] ?? '', required: number === 1 });
  const form = field({ name: `${prefix}.studyForm`, label: '学习形式', options: forms, value: given[`${prefix}.studyForm`] ?? '', required: number === 1 });
  const search = field({ name: `${prefix}-search`, label: '搜索院校或专业', hint: '输入院校或专业的名称或代码' });
  search.querySelector('input').removeAttribute('data-field');
  const results = h('ul', { class: 'result', id: `${prefix}-results`, 'aria-label': '搜索结果' });
  const find = h('button', { type: 'button', class: 'secondary', id: `${prefix}-find` }, '搜索');
  find.addEventListener('click', () => act(find, results.closest('fieldset') ?? results, async () => {
    const chosenLevel = level.querySelector('select').value;
    if (!chosenLevel) { results.replaceChildren(h('li', {}, '请先选择报考层次')); return; }
    const q = search.querySelector('input').value.trim();
    const found = await api('GET', `/api/registration/catalogue?level=${encodeURIComponent(chosenLevel)}&q=${encodeURIComponent(q)}`);
    results.replaceChildren(...found.majors.map((m) => h('li', {}, h('button', { type: 'button', onclick: () => {
      institution.value = m.institutionCode; major.value = m.majorCode; category.value = m.subjectCategory;
      chosen.textContent = `已选：${m.institutionName} ${m.majorName}（${m.subjectCategory}，${m.duration}）`;
      results.replaceChildren();
      institution.dispatchEvent(new Event('input', { bubbles: true }));
    } }, `${m.institutionCode} ${m.institutionName} · ${m.majorCode} ${m.majorName}（${m.subjectCategory}）`))),
    found.majors.length === 0 ? h('li', {}, '没有找到') : null, found.more ? h('li', {}, '结果较多，请输入更准确的名称') : null);
  }));
  return h('div', { 'data-group': prefix }, h('h3', {}, number === 1 ? '第一志愿' : '第二志愿（可不填）'), h('p', { class: 'error', role: 'alert' }),
    h('div', { class: 'grid' }, level, form), search, find, results, chosen,
    h('p', { class: 'error', 'data-group': `${prefix}.majorCode` }), institution, major, category);
}

// The API's nested form from the page's flat field names, and back.
function nest(flat) {
  const form = { basic: {}, choices: [] };
  for (const [name, value] of Object.entries(flat)) {
    const [head, tail] = name.split('.');
    if (head === 'basic') form.basic[tail] = value;
    else if (head.startsWith('choice')) (form.choices[Number(head.slice(6)) - 1] ??= {})[tail] = value;
    else form[head] = value;
  }
  form.choices = form.choices.filter((c) => c && Object.keys(c).length > 0);
  return form;
}

function flatten(form) {
  const flat = { confirmationPointID: form.confirmationPointID ?? '' };
  for (const [name, value] of Object.entries(form.basic ?? {})) if (value !== null) flat[`basic.${name}`] = value;
  (form.choices ?? []).forEach((c, index) => { for (const [name, value] of Object.entries(c)) if (value !== null) flat[`choice${index + 1}.${name}`] = value; });
  return flat;
}

// ---- the appointment and payment

async function appointmentView() {
  menu(true);
  const [slots, booked] = await Promise.all([
    api('GET', '/api/registration/appointment-slots').catch((error) => { if (error.status === 401) throw error; return []; }),
    api('GET', '/api/registration/appointment').catch(() => null)]);
  const list = h('ul', { class: 'steps' }, slots.map((slot) => h('li', {},
    `${slot.day} ${slot.startsAt.slice(11, 16)}-${slot.endsAt.slice(11, 16)}，剩余 ${slot.remaining} 个名额 `,
    h('button', { type: 'button', class: 'secondary', disabled: slot.remaining === 0 || booked?.id === slot.id, onclick: (event) => act(event.currentTarget, app, async () => {
      await api('POST', '/api/registration/appointment', { slotID: slot.id });
      route();
    }) }, booked?.id === slot.id ? '已预约' : '预约此时段'))));
  show('预约现场确认',
    booked ? banner(`已预约：${booked.day} ${booked.startsAt.slice(11, 16)}-${booked.endsAt.slice(11, 16)}`, 'ok') : null,
    h('section', { class: 'card' }, slots.length ? list : h('p', {}, '所选确认点暂无可预约的时段，请先提交报名信息并选择确认点。')));
}

async function payView() {
  menu(true);
  const current = await api('GET', '/api/payment/orders/current').catch(() => null);
  const pay = (provider) => async (event) => act(event.currentTarget, app, async () => {
    const order = await api('POST', '/api/payment/orders', { provider });
    location.assign(order.payURL);
  });
  show('网上缴费',
    current?.status === 'paid' ? banner('已缴费', 'ok') : null,
    h('section', { class: 'card' }, h('p', {}, '请选择支付方式，支付完成后回到本页查看结果。'),
      h('div', { class: 'actions' },
        h('button', { type: 'button', id: 'pay-alipay', onclick: pay('alipay') }, '支付宝'),
        h('button', { type: 'button', id: 'pay-wechat', onclick: pay('wechat') }, '微信支付'),
        h('a', { href: '#/paid' }, '我已完成支付'))));
}

// Back from the provider: the result as it arrives (the notification may come a little later).
async function paidView() {
  menu(true);
  const line = h('p', { id: 'payment-result', 'aria-live': 'polite' }, '正在确认缴费结果…');
  show('缴费结果', h('section', { class: 'card' }, line, h('a', { href: '#/status' }, '返回报名状态')));
  for (let attempt = 0; attempt < 60 && location.hash.startsWith('#/paid'); attempt++) {
    const order = await api('GET', '/api/payment/orders/current').catch(() => null);
    if (order?.status === 'paid') { line.textContent = `缴费成功（订单 ${order.orderNo}）`; return; }
    line.textContent = order ? `订单 ${order.orderNo}：等待支付结果…` : '没有缴费订单';
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

// ---- exemption from the examination (免试入学), applied for after submitting

const exemptionStatus = { applied: '已申请，待市级初审', city_passed: '市级初审通过，待省级审定', city_refused: '市级初审不通过', approved: '已批准免试入学', refused: '省级不批准' };

async function exemptionView() {
  menu(true);
  const [year, applied] = await Promise.all([api('GET', '/api/registration/exam-year'),
    api('GET', '/api/review/exemption').catch((error) => { if (error.status === 404) return null; throw error; })]);
  const categories = year.codeLists.exemptionCategories ?? [];
  const form = h('form', { novalidate: true, id: 'exemption-form' },
    field({ name: 'categoryCode', label: '免试类别', options: categories.map((c) => [c.code, c.name]), value: applied?.categoryCode ?? '', required: true }),
    h('ul', { class: 'hint' }, categories.map((c) => h('li', {}, `${c.name}：须携带 ${c.evidence ?? '证明材料'}`))),
    field({ name: 'reason', label: '申请理由', type: 'textarea', value: applied?.reason ?? '', required: true }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, applied ? '修改申请' : '提交申请')));
  const state = h('p', { id: 'exemption-state' }, applied
    ? `${exemptionStatus[applied.status] ?? applied.statusName}${applied.refusalReason ? `（${applied.refusalReason}）` : ''}` : '尚未申请。');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    await act(form.querySelector('button'), form, async () => {
      const saved = await api('PUT', '/api/review/exemption', { categoryCode: '', reason: '', ...values(form) });
      clearErrors(form);
      state.textContent = exemptionStatus[saved.status] ?? saved.statusName;
      form.prepend(banner('免试入学申请已保存。', 'ok'));
    });
  });
  show('免试入学申请', h('section', { class: 'card' }, h('p', {}, '当前：', state), applied && applied.status !== 'applied' ? null : form));
}

// ---- the router

const views = { '#/login': () => loginView(location.hash.includes('expired')), '#/signup': signupView, '#/status': statusView, '#/form': formView,
  '#/appointment': appointmentView, '#/pay': payView, '#/paid': paidView, '#/reset': resetView, '#/exemption': exemptionView };

const route = startRouter(views,
  (key) => key ? null : sessionStorage.getItem('exam.csrf.candidate') ? '#/status' : '#/login',
  (error) => show('出错了', banner(error.message, 'error')));
