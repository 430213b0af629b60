"""The studio page: review.py's segments (takes, players, waveforms, checks, transcript diff) with
the studio's controls beside each one, and a small script that calls the studio's API.

Every text from the script, the manifest or the status is escaped here (HTML) or carried as JSON
in a <script type="application/json"> block that the browser script reads as data.
"""

from __future__ import annotations

from barkflow.reviewing import review
from barkflow.engine.constants import SAMPLE_RATE

_e = review.escape_html  # every text the page shows goes through it


def render_studio_page(data: dict, token: str) -> str:
    manifest = data["manifest"]
    state = {
        "token": token, "scriptHash": data["script_hash"], "finished": data["status"]["finished"],
        "picks": data["picks"],
    }
    if manifest is None:
        body = '<p class="empty">No render yet: the first render is running; this page reloads when it is done.</p>'
        summary = ""
    else:
        body = _segments_html(manifest, data)
        segments = manifest["segments"]
        summary = (f"{len(segments)} segments, {manifest.get('audio_seconds', 0):.1f} s of audio; "
                   f"{len(data['flagged'])} flagged (verify.fail_on, transcripts)")
        state["stitched"] = {s["uid"]: s["take"] for s in segments}
    outputs = "".join(f'<li><a href="{review.file_url(path)}">{_e(path)}</a></li>' for path in data["outputs"])
    project = (manifest or {}).get("project", "")
    return _PAGE.format(
        title=_e(f"Studio: {project}"), project=_e(project), summary=_e(summary), css=review.PAGE_CSS + _CSS,
        outputs=outputs, body=body, flagged=len(data["flagged"]), state=review.script_json(state), script=_SCRIPT,
        thresholds=review.THRESHOLDS_HTML, status=_e(status_line(data["status"])),
    )


def status_line(status: dict) -> str:
    """One line for the page's status bar (the page script builds the same line from /api/status)."""
    if status["busy"]:
        return f"rendering ({', '.join(status['running'])}) {status['step']}".strip()
    if status["error"]:
        return f"error: {status['error']}"
    return f"ready. {status['summary']}".strip()


def _segments_html(manifest: dict, data: dict) -> str:
    rate = manifest.get("sample_rate", SAMPLE_RATE)
    lines = data["script_lines"]
    body, chapter = [], None
    for s in manifest["segments"]:
        if s["chapter"] != chapter:
            chapter = s["chapter"]
            body.append(review.chapter_heading(manifest, chapter))
        number = s.get("line", 0)
        raw = lines[number - 1] if 1 <= number <= len(lines) else ""
        uid = _e(s["uid"])
        setting = data["line_settings"].get(number, {"voice": "", "sampling": ""})
        body.append(
            f'<div class="studio-seg" id="studio-{uid}">'
            + review.segment_html(s, data["peaks"], data["line_audio"].get(s["uid"]), rate)
            + f'<div class="controls" data-uid="{uid}">'
            f'<button type="button" class="retake" data-uid="{uid}">Retake</button> '
            + (_text_box(uid, number, raw, data["script_name"]) if number in data["editable"] else
               f'<span class="note">line {number} of {_e(data["script_name"])} is read from more than that line '
               f'of the file (a paragraph over several lines, or a book): edit it in the file itself</span>')
            + '<br>'
            f'<label>voice <input type="text" class="line-voice" data-uid="{uid}" value="{_e(setting["voice"])}" '
            f'placeholder="{_e(s.get("voice", ""))} (empty: the cast\'s)" size="20" autocomplete="off"></label> '
            f'<label>sampling <input type="text" class="line-sampling" data-uid="{uid}" value="{_e(setting["sampling"])}" '
            f'placeholder="e.g. semantic.temp=0.6 coarse.top_k=50" size="40" autocomplete="off"></label> '
            f'<button type="button" class="save-line" data-uid="{uid}">Save voice and sampling</button>'
            f'<span class="message" data-uid="{uid}"></span></div></div>'
        )
    return "\n".join(body)


def _text_box(uid: str, number: int, raw: str, script_name: str) -> str:
    return (f'<label>line {number} of {_e(script_name)}: '
            f'<input type="text" class="line-text" data-uid="{uid}" value="{_e(raw)}" size="70" autocomplete="off">'
            f'</label> <button type="button" class="save-text" data-uid="{uid}">Save text</button>')


_CSS = """
#status{font:13px monospace;background:#f4f4f4;padding:.3em .5em;border-radius:4px}
#status.busy{background:#fff4d6}#status.error{background:#fde2e2}
.studio-seg{margin:.6em 0}.studio-seg .seg{margin-bottom:0;border-bottom-left-radius:0;border-bottom-right-radius:0}
.controls{border:1px solid #ddd;border-top:none;padding:.3em .8em;font-size:13px;background:#fafafa}
.controls .line-text{font:13px monospace}.message{margin-left:.5em;color:#b22}
.empty,.note{color:#777;font-style:italic}
"""

_SCRIPT = """
const state = JSON.parse(document.getElementById('studio-state').textContent);
const statusBox = document.getElementById('status');
async function call(path, body) {
  const response = await fetch(path, {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-Studio-Token': state.token}, body: JSON.stringify(body)});
  const answer = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw Object.assign(new Error(answer.error || response.statusText), {answer});
  return answer;
}
function say(uid, text) {
  const box = document.querySelector(`.message[data-uid="${CSS.escape(uid)}"]`);
  if (box) box.textContent = text;
}
function changesText(c) {
  const who = c.speakers.map(s => 'line ' + s.line + ' now ' + s.to + ' (was ' + s.from + ')').join(', ');
  return 'line(s) ' + (c.lines.join(', ') || 'none') + ' changed, about ' + c.segments + ' segment(s) to render'
    + (who ? '; ' + who : '');
}
function markPicks() {
  let pending = 0;
  document.querySelectorAll('section.seg').forEach(seg => {
    const uid = seg.dataset.uid, take = state.picks[uid] ?? (state.stitched || {})[uid];
    seg.querySelectorAll('input.pick').forEach(r => { r.checked = Number(r.value) === take; });
    seg.querySelectorAll('.take').forEach(t => t.classList.toggle('picked', Number(t.dataset.take) === take));
    const differs = state.stitched && take !== state.stitched[uid];
    seg.classList.toggle('changed', !!differs);
    pending += differs ? 1 : 0;
  });
  document.getElementById('pending').textContent = pending ? pending + ' pick(s) not stitched yet: Re-stitch and export' : '';
}
document.querySelectorAll('input.pick').forEach(radio => radio.addEventListener('change', async () => {
  if (!radio.checked) return;
  const uid = radio.dataset.uid, take = Number(radio.value);
  try { await call('/api/pick', {uid, take}); state.picks[uid] = take; say(uid, ''); }
  catch (e) { say(uid, e.message); }
  markPicks();
}));
document.querySelectorAll('button.retake').forEach(button => button.addEventListener('click', async () => {
  const uid = button.dataset.uid;
  try { const answer = await call('/api/retake', {uid, count: 1}); say(uid, 'retake queued: ' + answer.takes + ' takes'); }
  catch (e) { say(uid, e.message); }
  poll();
}));
document.querySelectorAll('button.save-text').forEach(button => button.addEventListener('click', async () => {
  const uid = button.dataset.uid;
  const text = document.querySelector(`input.line-text[data-uid="${CSS.escape(uid)}"]`).value;
  const save = confirm => call('/api/text', {uid, text, hash: state.scriptHash, confirm});
  try {
    let answer;
    try { answer = await save(false); }
    catch (e) {  // who speaks, or other lines, would change: the server said what; ask before saving
      if (!(e.answer && e.answer.confirm)) throw e;
      if (!window.confirm(e.message)) { say(uid, 'not saved: ' + e.message); return; }
      answer = await save(true);
    }
    state.scriptHash = answer.hash;
    say(uid, 'saved; rendering: ' + changesText(answer.changes));
  }
  catch (e) { say(uid, e.message); }
  poll();
}));
document.querySelectorAll('button.save-line').forEach(button => button.addEventListener('click', async () => {
  const uid = button.dataset.uid, field = name => document.querySelector(`input.${name}[data-uid="${CSS.escape(uid)}"]`).value;
  try { await call('/api/line', {uid, voice: field('line-voice'), sampling: field('line-sampling')}); say(uid, 'saved; rendering'); }
  catch (e) { say(uid, e.message); }
  poll();
}));
document.getElementById('restitch').addEventListener('click', async () => {
  try { await call('/api/restitch', {}); } catch (e) { statusBox.textContent = 'error: ' + e.message; }
  poll();
});
document.getElementById('retake-flagged').addEventListener('click', async () => {
  try { const answer = await call('/api/retake-flagged', {});
        statusBox.textContent = 'retakes queued for ' + Object.keys(answer.takes).length + ' segment(s)'; }
  catch (e) { statusBox.textContent = 'error: ' + e.message; }
  poll();
});
function line(s) {
  if (s.busy) return ('rendering (' + s.running.join(', ') + ') ' + s.step).trim();
  if (s.error) return 'error: ' + s.error;
  return ('ready. ' + s.summary).trim();
}
async function poll() {
  try {
    const s = await (await fetch('/api/status', {credentials: 'same-origin'})).json();
    statusBox.textContent = line(s) + (s.waiting.length ? ' | waiting: ' + s.waiting.join(', ') : '');
    statusBox.className = s.busy || s.waiting.length ? 'busy' : s.error ? 'error' : '';
    statusBox.dataset.finished = s.finished;
    if (s.finished > state.finished && !s.busy && !s.waiting.length) location.reload();
  } catch (e) { statusBox.textContent = 'studio not reachable: ' + e.message; }
}
markPicks();
setInterval(poll, 700);
poll();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width,initial-scale=1">
<base href="/files/"><style>{css}</style></head>
<body>
<header>
<h1>Studio: {project}</h1>
<p>{summary}</p>
<p id="status">{status}</p>
<p><button id="restitch" type="button">Re-stitch and export</button>
<button id="retake-flagged" type="button">Retake all flagged ({flagged})</button> <span id="pending"></span></p>
<details><summary>Outputs</summary><ul id="outputs">{outputs}</ul></details>
<details><summary>About the checks</summary><p>{thresholds}</p></details>
</header>
<main>
{body}
</main>
<script type="application/json" id="studio-state">{state}</script>
<script>{script}</script>
</body></html>
"""
