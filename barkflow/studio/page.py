"""The studio page: review.py's page shell and segment rows (takes, players, waveforms, checks,
transcript diff, drawn by reviewing/window.py's windowed list) with the studio's controls in each
row, and a small script that calls the studio's API.

Every text from the script, the manifest or the status is escaped here (HTML) or carried as JSON
in a <script type="application/json"> block that the browser script reads as data.
"""

from __future__ import annotations

from barkflow.engine.constants import SAMPLE_RATE
from barkflow.reviewing import review

_e = review.escape_html  # every text the page shows goes through it


def render_studio_page(data: dict, token: str) -> str:
    manifest = data["manifest"]
    state = {
        "token": token, "scriptHash": data["script_hash"], "finished": data["status"]["finished"],
        "picks": data["picks"], "scriptName": data["script_name"], "edited": sorted(data.get("edited", ())),
        "lines": {str(n): setting for n, setting in data.get("line_settings", {}).items()},
    }
    if manifest is None:
        empty = '<p class="empty">No render yet: the first render is running; this page reloads when it is done.</p>'
        summary, rows, chapters = "", [], []
    else:
        empty = ""
        segments = manifest["segments"]
        summary = (f"{len(segments)} segments, {manifest.get('audio_seconds', 0):.1f} s of audio; "
                   f"{len(data['flagged'])} flagged (verify.fail_on, transcripts)")
        state["stitched"] = {s["uid"]: s["take"] for s in segments}
        rows, chapters = data["rows"], review.chapters_data(manifest)
    outputs = "".join(f'<li><a href="{review.file_url(path)}">{_e(path)}</a></li>' for path in data["outputs"])
    project = (manifest or {}).get("project", "")
    header = _HEADER.format(status=_e(status_line(data["status"])), flagged=len(data["flagged"]), outputs=outputs,
                            thresholds=review.THRESHOLDS_HTML, empty=empty)
    return review.page_shell(
        title=f"Studio: {project}", project=project, summary=summary, header=header, css=review.PAGE_CSS + _CSS,
        script=_SCRIPT, verified=any("F" in r or "w" in r for r in rows), changed_label="only edited here",
        data={"segments-data": rows, "chapters-data": chapters, "studio-state": state}, base="/files/",
    )


def studio_rows(manifest: dict, peaks: dict, line_audio: dict, script_lines: list, editable: set) -> list[dict]:
    """review.py's `segment_data` of each segment, with what the studio's controls show: L its script
    line, E that line's text where the text box can rewrite it, P the voice the render used (the
    voice box's placeholder). The line's own voice and sampling are the state's `lines`."""
    rate = manifest.get("sample_rate", SAMPLE_RATE)
    rows = []
    for s in manifest["segments"]:
        row = review.segment_data(s, peaks, line_audio.get(s["uid"]), rate)
        number = s.get("line", 0)
        row["L"] = number
        if number in editable and 1 <= number <= len(script_lines):
            row["E"] = script_lines[number - 1]
        row["P"] = s.get("voice", "")
        rows.append(row)
    return rows


def status_line(status: dict) -> str:
    """One line for the page's status bar (the page script builds the same line from /api/status)."""
    if status["busy"]:
        return f"rendering ({', '.join(status['running'])}) {status['step']}".strip()
    if status["error"]:
        return f"error: {status['error']}"
    return f"ready. {status['summary']}".strip()


_CSS = """
#status{font:13px monospace;background:#f4f4f4;padding:.3em .5em;border-radius:4px}
#status.busy{background:#fff4d6}#status.error{background:#fde2e2}
.controls{border-top:1px solid #eee;margin-top:.4em;padding:.3em 0 0;font-size:13px}
.controls .line-text{font:13px monospace}.message{margin-left:.5em;color:#b22}
.empty,.note{color:#777;font-style:italic}
"""

_SCRIPT = r"""
const state = JSON.parse(document.getElementById('studio-state').textContent);
const statusBox = document.getElementById('status');
const drafts = new Map(), messages = new Map(), edited = new Set(state.edited);  // kept while rows scroll away
async function call(path, body) {
  const response = await fetch(path, {method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json', 'X-Studio-Token': state.token}, body: JSON.stringify(body)});
  const answer = await response.json().catch(() => ({error: response.statusText}));
  if (!response.ok) throw Object.assign(new Error(answer.error || response.statusText), {answer});
  return answer;
}
function say(uid, text) {
  messages.set(uid, text);
  const box = document.querySelector(`.message[data-uid="${CSS.escape(uid)}"]`);
  if (box) box.textContent = text;
}
function changesText(c) {
  const who = c.speakers.map(s => 'line ' + s.line + ' now ' + s.to + ' (was ' + s.from + ')').join(', ');
  return 'line(s) ' + (c.lines.join(', ') || 'none') + ' changed, about ' + c.segments + ' segment(s) to render'
    + (who ? '; ' + who : '');
}
const e = List.esc, stitched = state.stitched || {};
const take = s => state.picks[s.u] ?? stitched[s.u];
const draft = (name, s, value) => drafts.has(name + '|' + s.u) ? drafts.get(name + '|' + s.u) : (value || '');
List.hooks.take = s => take(s);
List.hooks.edited = s => take(s) !== s.k || edited.has(s.L);
List.hooks.extra = s => {
  const uid = e(s.u);
  const text = s.E !== undefined
    ? `<label>line ${s.L} of ${e(state.scriptName)}: <input type="text" class="line-text" data-uid="${uid}" value="${e(draft('line-text', s, s.E))}" size="70" autocomplete="off">`
      + `</label> <button type="button" class="save-text" data-uid="${uid}">Save text</button>`
    : `<span class="note">line ${s.L} of ${e(state.scriptName)} is read from more than that line of the file (a paragraph over several lines, or a book): edit it in the file itself</span>`;
  return `<div class="controls" data-uid="${uid}"><button type="button" class="retake" data-uid="${uid}">Retake</button> ${text}<br>`
    + `<label>voice <input type="text" class="line-voice" data-uid="${uid}" value="${e(draft('line-voice', s, (state.lines[s.L] || {}).voice))}" placeholder="${e(s.P)} (empty: the cast's)" size="20" autocomplete="off"></label> `
    + `<label>sampling <input type="text" class="line-sampling" data-uid="${uid}" value="${e(draft('line-sampling', s, (state.lines[s.L] || {}).sampling))}" placeholder="e.g. semantic.temp=0.6 coarse.top_k=50" size="40" autocomplete="off"></label> `
    + `<button type="button" class="save-line" data-uid="${uid}">Save voice and sampling</button><span class="message" data-uid="${uid}">${e(messages.get(s.u) || '')}</span></div>`;
};
function pending() {
  const count = stitched ? List.segs.filter(s => take(s) !== stitched[s.u]).length : 0;
  document.getElementById('pending').textContent = count ? count + ' pick(s) not stitched yet: Re-stitch and export' : '';
}
List.hooks.choose = async (i, chosen) => {
  const uid = List.segs[i].u;
  try { await call('/api/pick', {uid, take: chosen}); state.picks[uid] = chosen; say(uid, ''); }
  catch (error) { say(uid, error.message); }
  List.mark(i);
  pending();
};
const field = (name, uid) => document.querySelector(`input.${name}[data-uid="${CSS.escape(uid)}"]`).value;
document.querySelector('main').addEventListener('input', event => {
  const box = event.target.closest('input.line-text, input.line-voice, input.line-sampling');
  if (box) drafts.set(box.classList[0] + '|' + box.dataset.uid, box.value);
});
document.querySelector('main').addEventListener('click', async event => {
  const button = event.target.closest('button.retake, button.save-text, button.save-line');
  if (!button) return;
  const uid = button.dataset.uid, line = List.segs[List.index(uid)].L;
  if (button.classList.contains('retake')) {
    try { const answer = await call('/api/retake', {uid, count: 1}); say(uid, 'retake queued: ' + answer.takes + ' takes'); }
    catch (error) { say(uid, error.message); }
  } else if (button.classList.contains('save-text')) {
    const text = field('line-text', uid);
    const save = confirm => call('/api/text', {uid, text, hash: state.scriptHash, confirm});
    try {
      let answer;
      try { answer = await save(false); }
      catch (error) {  // who speaks, or other lines, would change: the server said what; ask before saving
        if (!(error.answer && error.answer.confirm)) throw error;
        if (!window.confirm(error.message)) { say(uid, 'not saved: ' + error.message); return; }
        answer = await save(true);
      }
      state.scriptHash = answer.hash;
      edited.add(line);
      say(uid, 'saved; rendering: ' + changesText(answer.changes));
    }
    catch (error) { say(uid, error.message); }
  } else {
    try {
      await call('/api/line', {uid, voice: field('line-voice', uid), sampling: field('line-sampling', uid)});
      edited.add(line);
      say(uid, 'saved; rendering');
    }
    catch (error) { say(uid, error.message); }
  }
  poll();
});
document.getElementById('restitch').addEventListener('click', async () => {
  try { await call('/api/restitch', {}); } catch (error) { statusBox.textContent = 'error: ' + error.message; }
  poll();
});
document.getElementById('retake-flagged').addEventListener('click', async () => {
  try { const answer = await call('/api/retake-flagged', {});
        statusBox.textContent = 'retakes queued for ' + Object.keys(answer.takes).length + ' segment(s)'; }
  catch (error) { statusBox.textContent = 'error: ' + error.message; }
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
  } catch (error) { statusBox.textContent = 'studio not reachable: ' + error.message; }
}
List.build();
pending();
setInterval(poll, 700);
poll();
"""

_HEADER = """<p id="status">{status}</p>
<p><button id="restitch" type="button">Re-stitch and export</button>
<button id="retake-flagged" type="button">Retake all flagged ({flagged})</button> <span id="pending"></span></p>
<details><summary>Outputs</summary><ul id="outputs">{outputs}</ul></details>
<details><summary>About the checks</summary><p>{thresholds}</p></details>{empty}"""
