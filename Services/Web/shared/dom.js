// Building pages safely: every value goes in as text (textContent, attributes), never as HTML.

export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'value') element.value = value;
    else if (name === 'checked') element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let fieldCount = 0;

// A labelled field: input, select (options: [[value, label]]) or textarea, with a hint and a
// place for its error, tied together for screen readers. `name` is the API's field name.
export function field({ name, label, type = 'text', value = '', options, required, autocomplete, hint, inputmode, maxlength }) {
  const id = `f${++fieldCount}`;
  const errorId = `${id}-error`;
  const hintId = hint ? `${id}-hint` : undefined;
  const common = {
    id, name, 'data-field': name, required, autocomplete, inputmode, maxlength,
    'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
  };
  let control;
  if (options) {
    control = h('select', common, h('option', { value: '' }, '请选择'),
      options.map(([optionValue, optionLabel]) => h('option', { value: optionValue, selected: optionValue === value }, optionLabel)));
  } else if (type === 'textarea') {
    control = h('textarea', { ...common, rows: 3 }, value);
  } else {
    control = h('input', { ...common, type, value });
  }
  return h('div', { class: 'field' },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
    h('p', { class: 'error', id: errorId, role: 'alert' }));
}

// The form's values as {name: value}, blanks left out.
export function values(form) {
  const result = {};
  for (const element of form.querySelectorAll('[data-field]')) {
    const value = element.value.trim();
    if (value !== '') result[element.dataset.field] = value;
  }
  return result;
}

export function clearErrors(root) {
  for (const element of root.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
  for (const element of root.querySelectorAll('.error')) element.textContent = '';
  root.querySelector('.banner')?.remove();
}

// The API's refusal shown where it belongs: each field's message beside the field (the first
// such field focused), the rest in a banner at the top of `root`.
export function showError(root, error) {
  clearErrors(root);
  const unplaced = [];
  let first;
  for (const problem of error.fields ?? []) {
    // A visible control of that name, or else the group it belongs to (a choice, a photo).
    const control = root.querySelector(`[data-field="${CSS.escape(problem.field)}"][id]`);
    const group = root.querySelector(`[data-group="${CSS.escape(problem.field)}"]`);
    const message = control ? document.getElementById(`${control.id}-error`)
      : group ? (group.classList.contains('error') ? group : group.querySelector('.error')) : null;
    if (!message) { unplaced.push(problem.message); continue; }
    message.textContent = problem.message;
    message.setAttribute('tabindex', '-1');
    (control ?? message).setAttribute('aria-invalid', 'true');
    first ??= control ?? message;
  }
  if (!first || unplaced.length > 0) {
    root.prepend(banner([error.fields?.length ? '请修改标出的内容' : error.message, ...unplaced].join('；'), 'error'));
  }
  (first ?? root.querySelector('.banner'))?.focus?.();
}

export function banner(text, kind = 'info') {
  return h('div', { class: `banner ${kind}`, role: kind === 'error' ? 'alert' : 'status', tabindex: '-1' }, text);
}

// Runs an action for a button, disabled meanwhile, its refusal shown in `root`.
export async function act(button, root, action) {
  button.disabled = true;
  try {
    return await action();
  } catch (error) {
    showError(root, error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}
