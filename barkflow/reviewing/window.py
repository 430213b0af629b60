"""The browser side of the review page and the studio: a windowed list of a book's segments.

Both pages ship the segments as data (review.py's `segment_data`, one JSON block) and this script
draws them: the list is cut into blocks of a few rows, each an empty box of its estimated height
until it comes near the viewport (an IntersectionObserver), when its rows are drawn; a block that
leaves is emptied again, keeping its measured height. So a 5,000-segment book holds a few dozen rows
and their players (<audio preload="none">) in the DOM, whatever its length.

The tools (review.py's `page_shell`): jump to a chapter, show only flagged / failed / changed /
unheard segments, search the text, sort by worst WER; keys j/k (next/previous row of what is shown),
1-9 (pick that take of the current row), space (play its picked take). What was played is
remembered in this browser (localStorage) for "unheard". A page's own script sets `List.hooks`
(the take a row has picked, what a pick does, its row's extra controls) and calls `List.build()`.
"""

WINDOW_CSS = """
#tools{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ddd;padding:.3em 0;font-size:13px}
#tools label{margin-right:.6em}#tools .keys{color:#777}
.seg.current{outline:3px solid #48c;outline-offset:1px}.seg.unheard .sid::after{content:" ·new";color:#48c}
.block{overflow-anchor:auto}
"""

LIST_SCRIPT = r"""
const List = (() => {
  const segs = JSON.parse(document.getElementById('segments-data').textContent);
  const chapters = JSON.parse(document.getElementById('chapters-data').textContent);
  const main = document.querySelector('main'), $ = id => document.getElementById(id);
  const esc = v => String(v).replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
  const hooks = {take: s => s.k, choose: (i, take) => {}, edited: s => false, extra: s => ''};
  const BLOCK = 8, ROW_H = 180, HEAD_H = 50;
  const heardKey = 'barkflow-heard:' + document.body.dataset.project;
  let heard;
  try { heard = new Set(JSON.parse(localStorage.getItem(heardKey) || '[]')); } catch (e) { heard = new Set(); }
  let items = [], order = [], blocks = [], blockOf = new Map(), cur = -1, query = '';
  const byUid = new Map(segs.map((s, i) => [s.u, i]));

  function wave(code) {
    const w = 240, h = 36, mid = 18;
    let shape = '';
    if (code) {
      const p = [...code].map(c => parseInt(c, 36) / 35), step = w / Math.max(1, p.length - 1);
      const at = (v, i, sign) => (i * step).toFixed(1) + ',' + (mid + sign * v * mid).toFixed(1);
      shape = '<polygon points="' + p.map((v, i) => at(v, i, -1)).concat(p.map((v, i) => at(v, i, 1)).reverse()).join(' ') + '"/>';
    }
    return `<svg class="wave" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="waveform">`
      + `<line x1="0" y1="${mid}" x2="${w}" y2="${mid}"/>${shape}</svg>`;
  }
  function flags(g) {
    if (g === null || g === undefined) return '<ul class="flags"><li class="bad">no audio</li></ul>';
    const names = Object.keys(g);
    if (!names.length) return '<ul class="flags"><li class="ok">checks ok</li></ul>';
    return '<ul class="flags">' + names.map(n => `<li class="bad" data-check="${esc(n)}">${esc(g[n])}</li>`).join('') + '</ul>';
  }
  function verify(v) {  // what was heard (extra words marked), the missing words struck, the WER
    if (!v) return '';
    const extra = (v.extra || []).map(String), words = [];
    for (const word of String(v.transcript || '').split(/\s+/).filter(Boolean)) {
      const at = extra.indexOf(word.toLowerCase().replace(/[^\p{L}\p{N}_']/gu, ''));
      if (at >= 0) { extra.splice(at, 1); words.push('<ins>' + esc(word) + '</ins>'); } else words.push(esc(word));
    }
    extra.forEach(w => words.push('<ins>' + esc(w) + '</ins>'));
    let out = '<p class="heard">heard: ' + (words.join(' ') || '(nothing)') + '</p>';
    if ((v.missing || []).length) out += '<p class="missing">missing: ' + v.missing.map(w => '<del>' + esc(w) + '</del>').join(' ') + '</p>';
    if ((v.substituted || []).length)
      out += '<p class="substituted">substituted: ' + v.substituted.map(p => `<del>${esc(p[0])}</del> → <ins>${esc(p[1])}</ins>`).join(', ') + '</p>';
    const failures = (v.failures || []).map(String);
    const outcome = v.passed === null || v.passed === undefined ? '' : v.passed ? ' (passed)'
      : ' (failed' + (failures.length ? ': ' + failures.join(', ') : '') + ')';
    return `<div class="verify">${out}<p class="wer ${v.passed ? 'ok' : 'bad'}">WER ${Number(v.wer || 0).toFixed(2)}${esc(outcome)}</p></div>`;
  }
  function row(i) {
    const s = segs[i], take = hooks.take(s), uid = esc(s.u);
    const cls = ['seg', s.f ? 'flagged' : '', s.F ? 'failed' : '', take !== s.k ? 'changed' : '', i === cur ? 'current' : '',
                 heard.has(s.u) ? '' : 'unheard'].filter(Boolean).join(' ');
    const line = s.a ? `<div class="stitched"><span>as stitched</span><audio class="line-audio" controls preload="none" src="${esc(s.a)}"></audio></div>` : '';
    const takes = s.t.map(t => `<div class="take${t.n === take ? ' picked' : ''}" data-take="${t.n}"><label>`
      + `<input type="radio" class="pick" name="pick-${uid}" value="${t.n}" data-uid="${uid}"${t.n === take ? ' checked' : ''} autocomplete="off">`
      + ` Take ${t.n}${t.d !== undefined ? ' · ' + t.d.toFixed(1) + ' s' : ''}</label>${wave(t.w)}`
      + `<audio class="take-audio" controls preload="none" src="${esc(t.p)}"></audio>${flags(t.g)}${verify(t.v)}</div>`).join('');
    return `<section class="${cls}" id="seg-${uid}" data-uid="${uid}" data-rendered="${s.k}"${s.w !== undefined ? ` data-wer="${s.w}"` : ''}>`
      + `<div class="line"><span class="sid">${esc(s.i)}</span> <b class="speaker">${esc(s.s)}</b> ${s.F ? '<span class=badge>failed</span> ' : ''}`
      + `<span class="dur">${s.d !== undefined ? s.d.toFixed(1) + ' s' : ''}</span><p class="text">${esc(s.x)}</p>${line}</div>`
      + `<div class="takes">${takes}</div>${hooks.extra(s)}</section>`;
  }
  const titles = new Map(chapters.map(c => [c[0], c[1]]));
  const heading = n => `<h2 id="chapter-${n}">Chapter ${n}${titles.get(n) ? ': ' + esc(titles.get(n)) : ''}</h2>`;
  const ticked = id => { const box = $(id); return !!(box && box.checked); };
  function matches(s) {
    return !(ticked('only-flagged') && !s.f) && !(ticked('only-failed') && !s.F) && !(ticked('only-changed') && !hooks.edited(s))
      && !(ticked('only-unheard') && heard.has(s.u))
      && !(query && !(s.x.toLowerCase().includes(query) || s.i.toLowerCase().includes(query) || s.s.toLowerCase().includes(query)));
  }
  function show(b) {
    if (b.shown) return;
    b.shown = true;
    b.el.innerHTML = items.slice(b.from, b.to).map(it => it.h !== undefined ? heading(it.h) : row(it.s)).join('');
    b.el.style.height = '';
  }
  function hide(b) {
    if (!b.shown) return;
    b.el.style.height = b.el.offsetHeight + 'px';
    b.el.textContent = '';
    b.shown = false;
  }
  const observer = new IntersectionObserver(entries => entries.forEach(e => {
    const b = blocks[Number(e.target.dataset.b)];
    if (b) (e.isIntersecting ? show : hide)(b);
  }), {rootMargin: '200px 0px'});
  function build() {  // after a filter, the search or the sort changed: the list again, from the top
    observer.disconnect();
    order = segs.map((s, i) => i).filter(i => matches(segs[i]));
    if (ticked('sort-wer')) {
      const wer = i => segs[i].w === undefined ? -1 : segs[i].w;
      order.sort((a, b) => wer(b) - wer(a));
      items = order.map(i => ({s: i}));
    } else {
      items = [];
      let chapter = null;
      for (const i of order) {
        if (segs[i].c !== chapter) { chapter = segs[i].c; items.push({h: chapter}); }
        items.push({s: i});
      }
    }
    blocks = []; blockOf = new Map();
    const boxes = document.createDocumentFragment();
    for (let from = 0; from < items.length; from += BLOCK) {
      const to = Math.min(from + BLOCK, items.length), el = document.createElement('div');
      let height = 0;
      for (let k = from; k < to; k++) {
        height += items[k].h !== undefined ? HEAD_H : ROW_H;
        blockOf.set(items[k].s !== undefined ? items[k].s : 'h' + items[k].h, blocks.length);
      }
      el.className = 'block'; el.dataset.b = blocks.length; el.style.height = height + 'px';
      blocks.push({el, from, to, shown: false});
      boxes.appendChild(el);
    }
    main.textContent = '';
    main.appendChild(boxes);
    for (const b of blocks) {  // the rows on screen now, not at the observer's next turn
      const box = b.el.getBoundingClientRect();
      if (box.top > innerHeight + 200) break;
      if (box.bottom > -200) show(b);
    }
    blocks.forEach(b => observer.observe(b.el));
    const count = $('shown');
    if (count) count.textContent = order.length + ' of ' + segs.length + ' shown';
  }
  function reveal(key, where) {  // draw the block of a row (a segment's index) or heading ('h' + n) and scroll to it
    const b = blocks[blockOf.get(key)];
    if (!b) return null;
    show(b);
    const el = document.getElementById(typeof key === 'number' ? 'seg-' + segs[key].u : 'chapter-' + key.slice(1));
    if (el) el.scrollIntoView({block: where || 'center'});
    return el;
  }
  function select(i) {
    document.querySelectorAll('section.seg.current').forEach(el => el.classList.remove('current'));
    cur = i;
    const el = i >= 0 ? reveal(i) : null;
    if (el) el.classList.add('current');
  }
  function step(by) {  // the next (1) or previous (-1) row of what is shown: the queue of what needs a decision
    if (!order.length) return;
    let at = order.indexOf(cur);
    if (at < 0) {  // no row selected yet, or it left the list: start from the first row on screen
      const top = [...main.querySelectorAll('section.seg')].find(el => el.getBoundingClientRect().bottom > 0);
      at = top ? order.indexOf(byUid.get(top.dataset.uid)) - (by > 0 ? 1 : 0) : -1;
      if (by < 0 && at < 0) at = 1;
    }
    select(order[Math.max(0, Math.min(order.length - 1, at + by))]);
  }
  function mark(i) {  // a row's pick changed: its radios, takes and "changed" class, where it is drawn
    const el = document.getElementById('seg-' + segs[i].u);
    if (!el) return;
    const take = hooks.take(segs[i]);
    el.querySelectorAll('input.pick').forEach(r => { r.checked = Number(r.value) === take; });
    el.querySelectorAll('.take').forEach(t => t.classList.toggle('picked', Number(t.dataset.take) === take));
    el.classList.toggle('changed', take !== segs[i].k);
  }
  function redraw() { blocks.filter(b => b.shown).forEach(b => { b.shown = false; show(b); }); }
  function play(i) {
    const el = document.getElementById('seg-' + segs[i].u);
    const audio = el && (el.querySelector('.take.picked audio') || el.querySelector('audio'));
    if (audio) audio.paused ? audio.play().catch(() => {}) : audio.pause();
  }
  main.addEventListener('change', e => {
    const radio = e.target.closest('input.pick');
    if (radio && radio.checked) hooks.choose(byUid.get(radio.dataset.uid), Number(radio.value));
  });
  document.addEventListener('play', e => {  // played in this browser: no longer "unheard"
    const section = e.target.closest && e.target.closest('section.seg');
    if (!section || heard.has(section.dataset.uid)) return;
    heard.add(section.dataset.uid);
    section.classList.remove('unheard');
    try { localStorage.setItem(heardKey, JSON.stringify([...heard])); } catch (error) { /* private mode: this visit only */ }
  }, true);
  document.addEventListener('keydown', e => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest('input:not([type=radio]):not([type=checkbox]),textarea,select,button')) return;
    if (e.key === 'j' || e.key === 'k') step(e.key === 'j' ? 1 : -1);
    else if (/^[1-9]$/.test(e.key) && cur >= 0 && segs[cur].t[Number(e.key) - 1]) hooks.choose(cur, segs[cur].t[Number(e.key) - 1].n);
    else if (e.key === ' ' && cur >= 0) play(cur);
    else return;
    e.preventDefault();
  });
  ['only-flagged', 'only-failed', 'only-changed', 'only-unheard', 'sort-wer'].forEach(id => {
    const box = $(id);
    if (box) box.addEventListener('change', () => { document.body.classList.toggle(id, box.checked); build(); });
  });
  const search = $('search');
  let typing = null;
  search.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { query = search.value.trim().toLowerCase(); build(); if (query && order.length) select(order[0]); }, 150);
  });
  const jump = $('chapter');
  chapters.forEach(c => jump.add(new Option('Chapter ' + c[0] + (c[1] ? ': ' + c[1] : ''), c[0])));
  jump.addEventListener('change', () => {
    const n = Number(jump.value), first = order.find(i => segs[i].c >= n);
    if (first !== undefined) select(first);
    jump.value = '';
  });
  return {segs, hooks, build, mark, redraw, select, esc, index: uid => byUid.get(uid), current: () => cur};
})();
"""
