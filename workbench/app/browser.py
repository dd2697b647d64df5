"""Two small scripts the app puts in the page (:func:`run_script`: ``st.iframe``, or
``streamlit.components.v1.html`` on older Streamlit): keys and clicks, and scrolling to
the focused row.

Streamlit runs such HTML in an iframe of the same origin, so a script there can reach the
app's page (``window.parent.document``):

- :func:`keyboard_html` (once, in the sidebar) listens for keys on the app's page and
  clicks the button a key stands for, found by its widget key (Streamlit gives each keyed
  widget the class ``st-key-<key>``), so a key does exactly what the button does; a key
  it uses goes no further (Streamlit's own "c" opens its clear-caches dialog). Keys
  typed into a text box, a select box or with a modifier are left alone. A click on an
  element with ``data-focus`` (a sentence in the text view, a row number) puts that focus
  in the address and lets Streamlit follow it, as it follows the back button.
  (Streamlit's own ``st.button(shortcut=...)`` cannot do this: it reserves "c", and "/"
  is not a key it accepts.)
- :func:`scroll_html` (on the pair view, changing with the focus) scrolls the boxes that
  hold the focused row or sentences so they are in view, without moving the page.

- :func:`remember_editor_html` keeps the editor's name in a cookie of the app's page,
  so a browser is asked once (the app reads it back from ``st.context.cookies``).

None reads or writes anything but the page's own elements, address and that cookie.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

# key -> the widget key of the button it presses
KEYS = {
    "j": "pv_next",
    "k": "pv_prev",
    "c": "ed_confirm",
    "x": "ed_reject",
    "u": "ed_undo",
}
SEARCH_KEY = "/"  # focuses the search box (opens the Search page first when elsewhere)
HELP = "Keys: j / k next / previous · c confirm · x reject · u undo · / search"

# each script first hides the (empty) element that holds its frame, so it takes no room
_HIDE = """
  const frame = window.frameElement;
  const holder = frame && frame.closest('[data-testid="stElementContainer"]');
  if (holder) holder.style.display = "none";
"""

_KEYBOARD = """
<script>
(function () {
  const win = window.parent, doc = win.document;
  %(hide)s
  const KEYS = %(keys)s;
  const KEY_PATIENCE_MS = 15000;  // how long a key waits for its button on a busy machine
  const old = win.__workbenchListeners;
  if (old) {
    doc.removeEventListener("keydown", old.key, true);
    doc.removeEventListener("click", old.click, true);
    doc.removeEventListener("click", old.chosen, true);
  }
  function typing(el) {
    if (!el || !el.tagName) return false;
    const tag = el.tagName.toUpperCase();
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }
  function press(widget) {  // "later": not pressable yet (the page is still drawing it)
    const buttons = [...doc.querySelectorAll(".st-key-" + widget + " button")];
    // Streamlit keeps a hidden copy of some buttons (to measure them): take the shown one
    const button = buttons.find((b) => b.offsetParent !== null) || buttons[0];
    // its place may be drawn before the button, or the button drawn again by a run
    if (!button || button.disabled) return "later";
    button.click();
    return "pressed";
  }
  function focusSearch() {
    const box = () => doc.querySelector(".st-key-q input");
    if (box()) { box().focus(); box().select(); return; }
    for (const label of doc.querySelectorAll(".st-key-page label")) {
      if (label.innerText.trim() === "Search") { label.click(); break; }
    }
    let tries = 0;
    const timer = win.setInterval(function () {
      if (box() || ++tries > 100) { win.clearInterval(timer); if (box()) box().focus(); }
    }, 100);
  }
  // Keys wait their turn: a button pressed while the app reruns is lost (Streamlit reads
  // one press per run), so each key is pressed once the previous one's run has ended.
  const queue = win.__workbenchQueue || (win.__workbenchQueue = []);
  function running() {
    // the app's own run state (the status widget shows a run only after a moment)
    const app = doc.querySelector('[data-testid="stApp"]');
    if (app && app.dataset.testScriptState === "running") return true;
    const status = doc.querySelector('[data-testid="stStatusWidget"]');
    return !!(status && status.offsetParent !== null && /running/i.test(status.innerText))
      || Date.now() < (win.__workbenchQuietUntil || 0);
  }
  function drain() {
    if (win.__workbenchDraining) return;
    win.__workbenchDraining = true;
    (function step() {
      if (!queue.length) { win.__workbenchDraining = false; return; }
      if (running()) { win.setTimeout(step, 60); return; }
      const widget = queue[0];
      const since = win.__workbenchWaitingSince || (win.__workbenchWaitingSince = Date.now());
      if (press(widget) === "later" && Date.now() - since < KEY_PATIENCE_MS) {
        win.setTimeout(step, 100);
        return;
      }
      queue.shift();  // pressed, or never pressable: the next key's turn
      win.__workbenchWaitingSince = 0;
      win.__workbenchQuietUntil = Date.now() + 350;  // the run it starts takes a moment to show
      win.setTimeout(step, 60);
    })();
  }
  function selectBox(el) {
    // single choice only: in a multiselect (re-link by text) letters search the options
    return !!(el && el.closest && el.closest('[data-testid="stSelectbox"]'));
  }
  function leaveSelectBox() {  // after a choice, keys belong to the page again
    win.setTimeout(function () {
      if (selectBox(doc.activeElement)) doc.activeElement.blur();
    }, 80);
  }
  function key(event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (selectBox(doc.activeElement) && event.key === "Enter") {
      leaveSelectBox();  // a choice made with the keyboard
      return;
    }
    const widget = KEYS[event.key];
    let target = event.target;
    if (widget && selectBox(doc.activeElement) && !doc.querySelector('[role="listbox"]')) {
      doc.activeElement.blur();  // a closed dropdown still holding the focus: a command
      target = doc.body;
    }
    if (typing(target) || typing(doc.activeElement)) return;
    if (event.key === %(search)s) focusSearch();
    else if (!widget || !doc.querySelector(".st-key-" + widget)) return;
    else { queue.push(widget); drain(); }
    // ours: Streamlit's own shortcuts ("c" clears its caches) must not see it
    event.preventDefault();
    event.stopPropagation();
  }
  function chosen(event) {  // a choice made with the mouse
    if (event.target.closest && event.target.closest('[role="option"]')) leaveSelectBox();
  }
  function click(event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const el = event.target.closest ? event.target.closest("[data-focus]") : null;
    if (!el || win.getSelection().toString()) return;  // selecting text is not a click
    event.preventDefault();
    event.stopPropagation();
    const url = new URL(win.location.href);
    if (url.searchParams.get("focus") === el.dataset.focus) return;
    url.searchParams.set("focus", el.dataset.focus);
    win.history.pushState(null, "", url.toString());
    win.dispatchEvent(new PopStateEvent("popstate"));  // Streamlit reruns at the new address
  }
  doc.addEventListener("keydown", key, true);
  doc.addEventListener("click", click, true);
  doc.addEventListener("click", chosen, true);
  win.__workbenchListeners = {key: key, click: click, chosen: chosen};
})();
</script>
"""

_SCROLL = """
<script>
(function () {
  const win = window.parent, doc = win.document;
  %(hide)s
  const ids = %(ids)s;
  let tries = 0, pageScrolled = false;
  function visible(el, box) {
    const a = el.getBoundingClientRect(), b = box.getBoundingClientRect();
    return a.top >= b.top && a.bottom <= b.bottom;
  }
  function scroll() {
    let done = 0;
    for (const id of ids) {
      const el = doc.getElementById(id);
      const box = el && el.closest(".pv-scroll, div.cv div.col");
      if (!box) continue;
      if (!visible(el, box)) {
        const top = el.getBoundingClientRect().top - box.getBoundingClientRect().top;
        box.scrollTop += top - box.clientHeight / 3;
      }
      // and the page, once, when the row lies outside the window (a short screen): once
      // only, so a reader who scrolls up to a dropdown is not pulled back down
      const rect = el.getBoundingClientRect();
      if (!pageScrolled && (rect.top < 0 || rect.bottom > win.innerHeight)) {
        el.scrollIntoView({block: "nearest"});
      }
      done += 1;
    }
    if (done === ids.length) pageScrolled = true;
    // the table may still be drawing: look again for a moment
    if (++tries < 15) win.setTimeout(scroll, done === ids.length ? 200 : 100);
  }
  scroll();
})();
</script>
"""


EDITOR_COOKIE = "workbench_editor"
EDITOR_NAME_LIMIT = 80

_REMEMBER = """
<script>
(function () {
  %(hide)s
  window.parent.document.cookie = %(cookie)s + "=" + encodeURIComponent(%(name)s)
    + "; max-age=31536000; path=/; SameSite=Strict";
})();
</script>
"""


def remember_editor_html(name: str) -> str:
    """Keep ``name`` in the app page's cookie for a year (JSON-quoted, ``<`` escaped:
    a name is text, never markup)."""
    quoted = json.dumps(name[:EDITOR_NAME_LIMIT]).replace("<", "\\u003c")
    return _REMEMBER % {"cookie": json.dumps(EDITOR_COOKIE), "name": quoted, "hide": _HIDE}


def remembered_editor(st) -> str:
    """The editor's name this browser gave before ('' when none)."""
    try:
        name = st.context.cookies.get(EDITOR_COOKIE, "")
    except AttributeError:  # a Streamlit without st.context
        return ""
    if not isinstance(name, str):  # AppTest has no browser: its cookies are stand-ins
        return ""
    return " ".join(unquote(str(name)).split())[:EDITOR_NAME_LIMIT]  # as the script wrote it


def keyboard_html() -> str:
    return _KEYBOARD % {"keys": json.dumps(KEYS), "search": json.dumps(SEARCH_KEY), "hide": _HIDE}


def scroll_html(anchor_ids: list[str]) -> str:
    """Scroll the boxes holding these elements (ids made by ``views.anchor``) to them."""
    return _SCROLL % {"ids": json.dumps(anchor_ids), "hide": _HIDE}


def run_script(st, page: str) -> None:
    """Put a script in the app's page: ``st.iframe`` where this Streamlit has it (an HTML
    string runs in a same-origin frame), else ``components.v1.html``, which newer
    versions deprecate in its favour."""
    if hasattr(st, "iframe"):
        st.iframe(page, height=1)
    else:
        from streamlit.components.v1 import html

        html(page, height=0)
