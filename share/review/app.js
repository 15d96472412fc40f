// igprep review: the face review page (docs/review.md). Plain JavaScript,
// no build step, no libraries. Every decision is sent to the server at once
// (POST /api/changes), which saves SHOOT/faces.json and answers the new state.
'use strict';

const TEXT = {
  ja: {
    title: '顔の確認',
    next: '次の未判断へ',
    undecided: '未判断',
    allDecided: 'すべて判断済み',
    faces: '顔',
    hidden: '隠す',
    cleared: '許可',
    ignored: '顔ではない',
    manual: '手動の枠',
    undecidedLegend: '未判断（隠す）',
    person: '人物ラベル',
    consent: '同意書番号',
    required: '必須',
    optional: '任意',
    cancel: 'キャンセル',
    dlgTitle: '顔を許可する',
    dlgOk: '許可する',
    selClear: 'まとめて許可',
    selLabel: 'ラベルだけ付ける',
    selNone: '選択を解除',
    selected: (n) => `${n} 件を選択中`,
    photo: '写真',
    video: '動画',
    source: '元の写真：枠をクリックで判断を切り替え、ドラッグで手動の枠を追加',
    sourceVideo: '動画：枠をクリックで判断、ドラッグで手動の枠（動画全体で隠す）',
    preview: '次の実行での仕上がり（保存のたびに更新）',
    videoNote: '動画の顔は次の実行ですべてのフレームで隠されます。各トラックのスライダーでフレームを確認できます。',
    noFaces: '顔は見つかっていません。見落としがあればドラッグで枠を追加してください。',
    saved: '保存しました',
    saveFailed: '保存できませんでした：',
    loadFailed: '読み込めませんでした：',
    needConsent: '同意書番号を入力してください',
    needSelection: '顔を選択してください（Shift＋クリック、またはチェックボックス）',
    deleteManual: '手動の枠を削除',
    track: 'トラック',
    first: '最初',
    middle: '中間',
    last: '最後',
    howto: '操作：クリック＝隠す→許可→顔ではない の切り替え　<kbd>←</kbd><kbd>→</kbd> 顔の移動　<kbd>C</kbd> 許可　<kbd>H</kbd> 隠す　<kbd>N</kbd> 顔ではない　<kbd>Space</kbd>・Shift＋クリック 選択　<kbd>Del</kbd> 手動の枠を削除',
  },
  en: {
    title: 'Face review',
    next: 'Next undecided',
    undecided: 'undecided',
    allDecided: 'all decided',
    faces: 'faces',
    hidden: 'hidden',
    cleared: 'cleared',
    ignored: 'not a face',
    manual: 'manual box',
    undecidedLegend: 'undecided (hidden)',
    person: 'Person',
    consent: 'Consent ref.',
    required: 'required',
    optional: 'optional',
    cancel: 'Cancel',
    dlgTitle: 'Clear this face',
    dlgOk: 'Clear',
    selClear: 'Clear all selected',
    selLabel: 'Label only',
    selNone: 'Clear selection',
    selected: (n) => `${n} selected`,
    photo: 'photo',
    video: 'video',
    source: 'Source: click a box to change its decision, drag to add a manual box',
    sourceVideo: 'Video: click a box to decide, drag to add a manual box (hidden in the whole clip)',
    preview: 'What the next run makes (updated on every save)',
    videoNote: 'Video faces are hidden in every frame on the next run. Scrub each track with its slider.',
    noFaces: 'No face found. Drag over any face that was missed.',
    saved: 'Saved',
    saveFailed: 'Not saved: ',
    loadFailed: 'Cannot load: ',
    needConsent: 'Enter the consent reference',
    needSelection: 'Select faces first (Shift+click or the check boxes)',
    deleteManual: 'Delete manual box',
    track: 'Track',
    first: 'first',
    middle: 'middle',
    last: 'last',
    howto: 'Click a box: hidden → cleared → not a face. <kbd>←</kbd><kbd>→</kbd> move between faces, <kbd>C</kbd> clear, <kbd>H</kbd> hide, <kbd>N</kbd> not a face, <kbd>Space</kbd> or Shift+click select, <kbd>Del</kbd> delete a manual box.',
  },
};

// Japanese unless the browser's Accept-Language prefers English: the server
// reads the header and says which in the state ("lang").
let LANG = 'ja';
let T = TEXT[LANG];
const SVGNS = 'http://www.w3.org/2000/svg';

const app = {
  state: null,
  cards: new Map(), // media name → {el, svg, list, ...}
  order: [], // every face's key, in page order
  focus: null, // key of the focused face
  selected: new Set(), // keys
  busy: Promise.resolve(),
};

// A face's key: "media/id" (a media is a file name of the shoot folder: no '/').
const key = (media, id) => `${media}/${id}`;
const split = (k) => [k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)];
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c) e.append(c);
  return e;
}

function svgEl(tag, attrs = {}) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function toast(message, error = false) {
  const t = $('toast');
  t.textContent = message;
  t.className = `toast show${error ? ' error' : ''}`;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = 'toast'; }, error ? 6000 : 1500);
}

// ---- talking to the server ----

async function loadState() {
  const res = await fetch('/api/state');
  const body = await res.json();
  if (!res.ok) throw new Error(body.error || res.statusText);
  return body;
}

// Saves are sent one after another, each answered with the state as saved.
function save(changes) {
  app.busy = app.busy.then(async () => {
    try {
      const res = await fetch('/api/changes', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ changes }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.error || res.statusText);
      render(body);
      toast(T.saved);
      document.body.dataset.saves = String(Number(document.body.dataset.saves || 0) + 1);
    } catch (e) {
      toast(T.saveFailed + e.message, true);
    }
  });
  return app.busy;
}

// ---- faces ----

function faceOf(k) {
  const [media, id] = split(k);
  const m = app.state.media.find((x) => x.name === media);
  return m && m.faces.find((f) => f.id === id);
}

function decisionClass(f) {
  return [f.decision, f.source === 'manual' ? 'manual' : 'detected', f.decided ? 'decided' : 'undecided'].join(' ');
}

function decisionText(f) {
  if (f.source === 'manual' && f.decision === 'hidden') return `${T.hidden}（${T.manual}）`;
  return T[f.decision] + (f.decided ? '' : `（${T.undecided}）`);
}

function label(f) {
  return f.id.toUpperCase();
}

// Hidden → cleared (asks the consent reference) → not a face → hidden.
function cycle(k) {
  const f = faceOf(k);
  if (!f) return;
  if (f.decision === 'hidden' && f.decided === false) return decide(k, 'cleared');
  if (f.decision === 'hidden') return decide(k, 'cleared');
  if (f.decision === 'cleared') return decide(k, 'ignored');
  return decide(k, 'hidden');
}

async function decide(k, decision) {
  const [media, id] = split(k);
  const f = faceOf(k);
  if (!f) return;
  const change = { op: 'set', media, id, decision };
  if (decision === 'cleared') {
    const answer = await askConsent(media, f);
    if (!answer) return;
    change.consent = answer.consent;
    change.person = answer.person;
  }
  return save([change]);
}

function removeManual(k) {
  const [media, id] = split(k);
  const f = faceOf(k);
  if (f && f.source === 'manual' && f.decided) return save([{ op: 'remove', media, id }]);
}

function askConsent(media, f) {
  const dlg = $('consent-dialog');
  $('dlg-face').textContent = `${media} · ${label(f)}`;
  $('dlg-consent').value = f.consent || '';
  $('dlg-person').value = f.person || '';
  return new Promise((resolve) => {
    const done = (answer) => {
      dlg.close();
      $('consent-form').onsubmit = null;
      $('dlg-cancel').onclick = null;
      dlg.oncancel = null;
      resolve(answer);
    };
    $('consent-form').onsubmit = (ev) => {
      ev.preventDefault();
      const consent = $('dlg-consent').value.trim();
      if (!consent) return toast(T.needConsent, true);
      done({ consent, person: $('dlg-person').value.trim() || null });
    };
    $('dlg-cancel').onclick = () => done(null);
    dlg.oncancel = () => done(null);
    dlg.showModal();
    $('dlg-consent').focus();
  });
}

// ---- selection: one person label and consent for many faces ----

function toggleSelect(k) {
  if (app.selected.has(k)) app.selected.delete(k);
  else app.selected.add(k);
  paintSelection();
}

function paintSelection() {
  document.querySelectorAll('[data-key]').forEach((e) => {
    e.classList.toggle('selected', app.selected.has(e.dataset.key));
    if (e.type === 'checkbox') e.checked = app.selected.has(e.dataset.key);
  });
  $('selbar').hidden = app.selected.size === 0;
  $('selcount').textContent = T.selected(app.selected.size);
}

function applySelection(clear) {
  const person = $('sel-person').value.trim();
  const consent = $('sel-consent').value.trim();
  if (app.selected.size === 0) return toast(T.needSelection, true);
  if (clear && !consent) {
    $('sel-consent').focus();
    return toast(T.needConsent, true);
  }
  const changes = [...app.selected].map((k) => {
    const [media, id] = split(k);
    const c = { op: 'set', media, id, person: person || null };
    if (clear) Object.assign(c, { decision: 'cleared', consent });
    return c;
  });
  app.selected.clear();
  return save(changes);
}

// ---- focus and keys ----

function setFocus(k, scroll = true) {
  app.focus = k;
  document.querySelectorAll('.focus').forEach((e) => e.classList.remove('focus'));
  document.querySelectorAll(`[data-key="${CSS.escape(k)}"]`).forEach((e) => {
    if (e.type !== 'checkbox') e.classList.add('focus');
  });
  const item = document.querySelector(`.face[data-key="${CSS.escape(k)}"], .track[data-key="${CSS.escape(k)}"]`);
  if (scroll && item) {
    const card = item.closest('.card');
    (card || item).scrollIntoView({ block: 'nearest', behavior: 'instant' });
    item.scrollIntoView({ block: 'nearest', behavior: 'instant' });
  }
}

function moveFocus(step) {
  if (!app.order.length) return;
  const i = app.order.indexOf(app.focus);
  const next = i < 0 ? (step > 0 ? 0 : app.order.length - 1) : (i + step + app.order.length) % app.order.length;
  setFocus(app.order[next]);
}

function nextUndecided() {
  const start = Math.max(0, app.order.indexOf(app.focus));
  for (let n = 1; n <= app.order.length; n++) {
    const k = app.order[(start + n) % app.order.length];
    const f = faceOf(k);
    if (f && !f.decided) return setFocus(k);
  }
}

document.addEventListener('keydown', (ev) => {
  if ($('consent-dialog').open || ev.target.matches('input:not([type=checkbox]), textarea')) return;
  const k = app.focus;
  switch (ev.key) {
    case 'ArrowRight': case 'ArrowDown': case 'j': moveFocus(1); break;
    case 'ArrowLeft': case 'ArrowUp': case 'k': moveFocus(-1); break;
    case 'c': case 'C': if (k) decide(k, 'cleared'); break;
    case 'h': case 'H': if (k) decide(k, 'hidden'); break;
    case 'n': case 'N': case 'i': case 'I': if (k) decide(k, 'ignored'); break;
    case 'Enter': if (k) cycle(k); break;
    case ' ': if (k) toggleSelect(k); break;
    case 'Delete': case 'Backspace': if (k) removeManual(k); break;
    case 'Escape': app.selected.clear(); paintSelection(); break;
    case 'u': case 'U': nextUndecided(); break;
    default: return;
  }
  ev.preventDefault();
});

// ---- drawing the boxes ----

function faceClick(ev, k) {
  ev.stopPropagation();
  setFocus(k, false);
  if (ev.shiftKey || ev.ctrlKey || ev.metaKey) toggleSelect(k);
  else cycle(k);
}

function drawBox(svg, media, f, box, fontSize) {
  const k = key(media, f.id);
  const cls = decisionClass(f);
  const r = svgEl('rect', {
    x: box[0], y: box[1], width: box[2], height: box[3],
    class: `box ${cls}`, 'data-key': k, 'data-media': media, 'data-face': f.id,
  });
  r.addEventListener('pointerdown', (ev) => ev.stopPropagation());
  r.addEventListener('click', (ev) => faceClick(ev, k));
  const t = svgEl('text', { x: box[0], y: Math.max(fontSize, box[1] - fontSize * 0.3), class: `label ${cls}`, 'font-size': fontSize });
  t.textContent = f.person ? `${label(f)} ${f.person}` : label(f);
  svg.append(r, t);
}

// Drag on the picture (not on a box) to add a manual box.
function enableDrawing(svg, media, size) {
  let start = null;
  let rect = null;
  const point = (ev) => {
    const p = new DOMPoint(ev.clientX, ev.clientY).matrixTransform(svg.getScreenCTM().inverse());
    return [Math.min(Math.max(p.x, 0), size[0]), Math.min(Math.max(p.y, 0), size[1])];
  };
  svg.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    start = point(ev);
    rect = svgEl('rect', { class: 'box drawing', x: start[0], y: start[1], width: 0, height: 0 });
    svg.append(rect);
    svg.setPointerCapture(ev.pointerId);
  });
  svg.addEventListener('pointermove', (ev) => {
    if (!start) return;
    const p = point(ev);
    rect.setAttribute('x', Math.min(start[0], p[0]));
    rect.setAttribute('y', Math.min(start[1], p[1]));
    rect.setAttribute('width', Math.abs(p[0] - start[0]));
    rect.setAttribute('height', Math.abs(p[1] - start[1]));
  });
  svg.addEventListener('pointerup', (ev) => {
    if (!start) return;
    const p = point(ev);
    const box = [Math.min(start[0], p[0]), Math.min(start[1], p[1]), Math.abs(p[0] - start[0]), Math.abs(p[1] - start[1])].map(Math.round);
    start = null;
    // Smaller than 1 % of the picture: a click, not a box.
    if (box[2] < size[0] / 100 || box[3] < size[1] / 100) { rect.remove(); return; }
    save([{ op: 'add', media, box }]);
  });
}

// ---- photos ----

function photoCard(m) {
  const svg = svgEl('svg', { viewBox: `0 0 ${m.size[0]} ${m.size[1]}`, preserveAspectRatio: 'xMidYMid meet', 'data-media': m.name });
  const img = el('img', { src: `/out/${m.master}`, alt: m.name, draggable: 'false' });
  const stage = el('div', { class: 'stage' }, img, svg);
  stage.style.aspectRatio = `${m.size[0]} / ${m.size[1]}`;
  const preview = el('img', { alt: `${m.name} — ${T.preview}`, 'data-preview': m.name });
  const previewStage = el('div', { class: 'stage' }, preview);
  previewStage.style.aspectRatio = stage.style.aspectRatio;
  const card = el('section', { class: 'card photo', id: `card-${m.name}`, 'data-media': m.name },
    el('header', {}, el('h2', { text: m.name }), el('span', { class: 'kind', text: T.photo }), el('div', { class: 'chips' })),
    el('div', { class: 'panes' },
      el('figure', { class: 'pane source' }, stage, el('figcaption', { text: T.source })),
      el('figure', { class: 'pane preview' }, previewStage, el('figcaption', { text: T.preview }))),
    el('ul', { class: 'faces' }));
  enableDrawing(svg, m.name, m.size);
  return { el: card, svg, preview, list: card.querySelector('.faces'), chips: card.querySelector('.chips') };
}

function updatePhoto(c, m) {
  c.svg.querySelectorAll('rect:not(.drawing), text').forEach((e) => e.remove());
  c.svg.querySelectorAll('rect.drawing').forEach((e) => e.remove());
  const fontSize = Math.round(Math.max(m.size[0], m.size[1]) / 45);
  for (const f of m.faces) if (f.box) drawBox(c.svg, m.name, f, f.box, fontSize);
  const src = `/preview/${encodeURIComponent(m.name)}?k=${m.preview_key}`;
  if (c.preview.getAttribute('src') !== src) c.preview.setAttribute('src', src);
}

// ---- videos: tracks with first, middle and last crops, and scrubbing ----

// A face's box at time t (linear between keys; none outside the track).
function boxAt(f, t) {
  if (f.box) return f.box;
  const keys = f.track;
  if (!keys || !keys.length) return null;
  const span = keys.length > 1 ? (keys[keys.length - 1].t - keys[0].t) / (keys.length - 1) : 0.2;
  if (t < keys[0].t - span || t > keys[keys.length - 1].t + span) return null;
  if (t <= keys[0].t) return keys[0].box;
  for (let i = 1; i < keys.length; i++) {
    if (t <= keys[i].t) {
      const a = keys[i - 1];
      const b = keys[i];
      const w = (t - a.t) / (b.t - a.t);
      return a.box.map((v, j) => v + (b.box[j] - v) * w);
    }
  }
  return keys[keys.length - 1].box;
}

// Crops are drawn from a second, hidden video, one seek after another.
function cropQueue(src) {
  const v = el('video', { src, muted: '', preload: 'auto' });
  v.muted = true;
  let chain = new Promise((resolve) => {
    if (v.readyState >= 1) resolve();
    else v.addEventListener('loadedmetadata', resolve, { once: true });
  });
  return (t, box, canvas) => {
    chain = chain.then(() => new Promise((resolve) => {
      const draw = () => {
        const side = Math.max(box[2], box[3]) * 1.6;
        const cx = box[0] + box[2] / 2;
        const cy = box[1] + box[3] / 2;
        const g = canvas.getContext('2d');
        g.fillStyle = '#333';
        g.fillRect(0, 0, canvas.width, canvas.height);
        g.drawImage(v, cx - side / 2, cy - side / 2, side, side, 0, 0, canvas.width, canvas.height);
        resolve();
      };
      if (Math.abs(v.currentTime - t) < 1e-3 && v.readyState >= 2) draw();
      else {
        v.addEventListener('seeked', draw, { once: true });
        v.currentTime = t;
      }
    }));
    return chain;
  };
}

function videoCard(m) {
  const video = el('video', { src: `/out/${m.master}`, muted: '', preload: 'auto', playsinline: '' });
  video.muted = true;
  const svg = svgEl('svg', { viewBox: `0 0 ${m.size[0]} ${m.size[1]}`, preserveAspectRatio: 'xMidYMid meet', 'data-media': m.name });
  const stage = el('div', { class: 'stage' }, video, svg);
  stage.style.aspectRatio = `${m.size[0]} / ${m.size[1]}`;
  stage.style.maxWidth = `${Math.min(100, 100 * m.size[0] / m.size[1] * 1.1)}%`;
  const scrub = el('input', { type: 'range', min: '0', max: '1000', value: '0', 'aria-label': m.name });
  const time = el('span', { text: '0.00 s' });
  const card = el('section', { class: 'card video', id: `card-${m.name}`, 'data-media': m.name },
    el('header', {}, el('h2', { text: m.name }), el('span', { class: 'kind', text: T.video }), el('div', { class: 'chips' })),
    el('div', { class: 'panes' },
      el('figure', { class: 'pane source' }, stage,
        el('div', { class: 'scrub' }, scrub, time),
        el('figcaption', { text: T.sourceVideo })),
      el('div', {}, el('p', { class: 'note', text: T.videoNote }), el('div', { class: 'tracks' }))));
  const c = { el: card, svg, video, list: card.querySelector('.tracks'), chips: card.querySelector('.chips'), crop: cropQueue(`/out/${m.master}`), cropped: new Map(), media: m };
  const duration = () => video.duration || m.duration || 1;
  scrub.addEventListener('input', () => { video.currentTime = (scrub.value / 1000) * duration(); });
  video.addEventListener('timeupdate', () => { time.textContent = `${video.currentTime.toFixed(2)} s`; drawVideoBoxes(c); });
  video.addEventListener('seeked', () => {
    time.textContent = `${video.currentTime.toFixed(2)} s`;
    scrub.value = String(Math.round((video.currentTime / duration()) * 1000)); // a track's slider seeks too
    drawVideoBoxes(c);
  });
  enableDrawing(svg, m.name, m.size);
  return c;
}

function drawVideoBoxes(c) {
  const m = c.media;
  c.svg.querySelectorAll('rect:not(.drawing), text').forEach((e) => e.remove());
  const fontSize = Math.round(Math.max(m.size[0], m.size[1]) / 30);
  for (const f of m.faces) {
    const b = boxAt(f, c.video.currentTime || 0);
    if (b) drawBox(c.svg, m.name, f, b, fontSize);
  }
  paintSelection();
  if (app.focus) setFocus(app.focus, false);
}

function trackRow(c, m, f) {
  const k = key(m.name, f.id);
  const keys = f.track || [{ t: 0, box: f.box }];
  const picks = [0, Math.floor((keys.length - 1) / 2), keys.length - 1];
  const canvases = picks.map(() => el('canvas', { width: '192', height: '192' }));
  const slider = el('input', { type: 'range', min: '0', max: String(keys.length - 1), value: '0', 'aria-label': `${m.name} ${label(f)}` });
  const at = el('span', { text: `${keys[0].t.toFixed(2)} s` });
  slider.addEventListener('input', () => {
    const key0 = keys[Number(slider.value)];
    at.textContent = `${key0.t.toFixed(2)} s`;
    c.video.currentTime = key0.t;
    setFocus(k, false);
  });
  const check = el('input', { type: 'checkbox', 'data-key': k, 'aria-label': label(f) });
  check.addEventListener('click', (ev) => { ev.stopPropagation(); toggleSelect(k); });
  const row = el('div', { class: `track ${decisionClass(f)}`, 'data-key': k, 'data-media': m.name, 'data-face': f.id },
    el('div', { class: 'side' },
      el('div', {}, check, ' ', el('span', { class: 'fid', text: label(f) })),
      el('div', { class: 'state', text: decisionText(f) }),
      el('div', { class: 'meta', text: [f.person, f.consent].filter(Boolean).join(' · ') })),
    el('div', {},
      el('div', { class: 'crops' }, ...canvases),
      el('div', { class: 'times' }, ...picks.map((p, i) => el('span', { text: `${[T.first, T.middle, T.last][i]} ${keys[p].t.toFixed(2)} s` }))),
      el('div', { class: 'scrub' }, el('span', { text: T.track }), slider, at)));
  row.addEventListener('click', (ev) => {
    if (ev.target.closest('input')) return;
    setFocus(k, false);
    if (ev.shiftKey || ev.ctrlKey || ev.metaKey) toggleSelect(k);
    else cycle(k);
  });
  const sig = JSON.stringify(keys.length) + JSON.stringify(keys[0].box);
  const old = c.cropped.get(f.id);
  if (old && old.sig === sig) old.canvases.forEach((cv, i) => canvases[i].getContext('2d').drawImage(cv, 0, 0));
  else picks.forEach((p, i) => c.crop(keys[p].t, keys[p].box, canvases[i]));
  c.cropped.set(f.id, { sig, canvases });
  return row;
}

function updateVideo(c, m) {
  c.media = m;
  c.list.replaceChildren(...m.faces.map((f) => trackRow(c, m, f)));
  if (!m.faces.length) c.list.append(el('p', { class: 'note', text: T.noFaces }));
  drawVideoBoxes(c);
}

// ---- the face list under each photo ----

function faceItem(m, f) {
  const k = key(m.name, f.id);
  const check = el('input', { type: 'checkbox', 'data-key': k, 'aria-label': label(f) });
  check.addEventListener('click', (ev) => { ev.stopPropagation(); toggleSelect(k); });
  const meta = [f.person, f.consent].filter(Boolean).join(' · ');
  const item = el('li', { class: `face ${decisionClass(f)}`, 'data-key': k, 'data-media': m.name, 'data-face': f.id },
    check, el('span', { class: 'fid', text: label(f) }), el('span', { class: 'state', text: decisionText(f) }),
    el('span', { class: 'meta', text: meta }));
  if (f.source === 'manual' && f.decided) {
    item.append(el('button', { class: 'del', type: 'button', title: T.deleteManual, 'aria-label': T.deleteManual, text: '✕',
      onclick: (ev) => { ev.stopPropagation(); removeManual(k); } }));
  }
  item.addEventListener('click', (ev) => faceClick(ev, k));
  return item;
}

function chips(c, m) {
  const n = m.counts;
  const parts = [];
  if (n.undecided) parts.push(el('span', { class: 'chip undecided', text: `${T.undecided} ${n.undecided}` }));
  else if (m.faces.length) parts.push(el('span', { class: 'chip alldone', text: T.allDecided }));
  for (const d of ['hidden', 'cleared', 'ignored']) if (n[d]) parts.push(el('span', { class: 'chip', text: `${T[d]} ${n[d]}` }));
  c.chips.replaceChildren(...parts);
}

// ---- the whole page ----

function renderCounter(state) {
  const n = state.counts;
  const total = Object.values(n).reduce((a, b) => a + b, 0);
  const left = n.undecided || 0;
  const big = el('span', { class: `big${left ? '' : ' done'}`, id: 'undecided-count', 'data-undecided': String(left),
    text: left ? `${T.undecided} ${left} / ${total}` : `${T.allDecided}（${total}）` });
  const pills = ['hidden', 'cleared', 'ignored'].map((d) => el('span', { class: 'pill', text: `${T[d]} ${n[d] || 0}` }));
  $('counter').replaceChildren(big, ...pills);
  $('next-undecided').disabled = left === 0;
}

// f2 before f10, t1 before t2: the order of the review sheets.
function byId(a, b) {
  return a.id.localeCompare(b.id, 'en', { numeric: true });
}

function render(state) {
  app.state = state;
  for (const m of state.media) m.faces.sort(byId);
  $('shoot').textContent = state.shoot;
  renderCounter(state);
  const main = $('media');
  app.order = [];
  for (const m of state.media) {
    let c = app.cards.get(m.name);
    if (!c) {
      c = m.kind === 'video' ? videoCard(m) : photoCard(m);
      app.cards.set(m.name, c);
      main.append(c.el);
    }
    chips(c, m);
    if (m.kind === 'video') updateVideo(c, m);
    else {
      updatePhoto(c, m);
      c.list.replaceChildren(...m.faces.map((f) => faceItem(m, f)));
      if (!m.faces.length) c.list.append(el('li', { class: 'note', text: T.noFaces }));
    }
    for (const f of m.faces) app.order.push(key(m.name, f.id));
  }
  for (const k of [...app.selected]) if (!app.order.includes(k)) app.selected.delete(k);
  paintSelection();
  if (app.focus && app.order.includes(app.focus)) setFocus(app.focus, false);
  document.body.dataset.ready = '1';
}

function translate() {
  document.documentElement.lang = LANG;
  document.title = `igprep — ${T.title}`;
  document.querySelectorAll('[data-t]').forEach((e) => {
    const v = T[e.dataset.t];
    if (typeof v !== 'string') return;
    if (e.dataset.t === 'howto') e.innerHTML = v; // our own constant text, with <kbd>
    else e.textContent = v;
  });
  $('legend').replaceChildren(
    el('span', { class: 'undecided', text: T.undecidedLegend }),
    el('span', { class: 'hidden', text: T.hidden }),
    el('span', { class: 'cleared', text: T.cleared }),
    el('span', { class: 'ignored', text: T.ignored }),
    el('span', { class: 'manual', text: T.manual }));
}

window.addEventListener('DOMContentLoaded', async () => {
  translate();
  $('next-undecided').addEventListener('click', nextUndecided);
  $('sel-clear').addEventListener('click', () => applySelection(true));
  $('sel-label').addEventListener('click', () => applySelection(false));
  $('sel-none').addEventListener('click', () => { app.selected.clear(); paintSelection(); });
  try {
    const state = await loadState();
    if (TEXT[state.lang] && state.lang !== LANG) {
      LANG = state.lang;
      T = TEXT[LANG];
      translate();
    }
    render(state);
  } catch (e) {
    toast(T.loadFailed + e.message, true);
  }
});
