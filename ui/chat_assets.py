"""The chat's own CSS and its one script (citation chips, Copy, scrolling to new answers, the live region).

The script is handed to Gradio as ``js`` (run once when the page loads, under the CSP's ``'unsafe-eval'`` that
Gradio already needs); it listens on the document, so it works for every message Gradio renders later. No
inline ``on*`` attributes: the sanitizer would drop them and the CSP forbids them.
"""

from __future__ import annotations

# WCAG AA: every text colour below has at least 4.5:1 against its background (light theme: white / #f9fafb,
# dark theme: #0b0f19 / #1f2937); the accent is a dark blue instead of the theme's orange (2.8:1 with white).
CITATION_CSS = """
.gradio-container { --body-text-color-subdued: #4b5563; --input-placeholder-color: #4b5563;
  --block-info-text-color: #4b5563; --color-accent: #1d4ed8; --color-accent-soft: #dbeafe;
  --button-primary-background-fill: #1d4ed8; --button-primary-background-fill-hover: #1e40af;
  --button-primary-text-color: #ffffff; --button-primary-text-color-hover: #ffffff;
  --button-primary-border-color: #1d4ed8; --link-text-color: #1d4ed8;
  --checkbox-background-color-selected: #1d4ed8; --checkbox-border-color-selected: #1d4ed8;
  --checkbox-border-color-focus: #1d4ed8; --checkbox-label-border-color-selected: #1d4ed8; }
.dark .gradio-container { --body-text-color-subdued: #cbd5e1; --input-placeholder-color: #cbd5e1;
  --block-info-text-color: #cbd5e1; --color-accent: #93c5fd; --color-accent-soft: #1e3a8a; --link-text-color: #93c5fd;
  --button-primary-background-fill: #1d4ed8; --button-primary-background-fill-hover: #1e40af; }
.gradio-container textarea::placeholder, .gradio-container input::placeholder { color: #4b5563; opacity: 1; }
.dark .gradio-container textarea::placeholder { color: #cbd5e1; }
.gradio-container :focus-visible { outline: 3px solid #1d4ed8 !important; outline-offset: 2px; }
.dark .gradio-container :focus-visible { outline-color: #93c5fd !important; }
#citation-pick label:has(input:focus-visible) { outline: 3px solid #1d4ed8; outline-offset: 2px; }
a.cite-chip { display: inline-block; min-width: 1.9em; padding: 0 .3em; margin: 0 .1em; border-radius: 999px;
  border: 1px solid #1d4ed8; color: #1d4ed8 !important; background: #eff6ff; font-size: .8em; font-weight: 600;
  line-height: 1.5; text-align: center; text-decoration: none !important; vertical-align: .1em; }
a.cite-chip:hover { background: #dbeafe; }
.dark a.cite-chip { color: #bfdbfe !important; background: #1e3a8a; border-color: #93c5fd; }
.answer-text, .abstention { white-space: normal; }
details.msg-sources { margin-top: .6em; border-top: 1px solid var(--border-color-primary); padding-top: .4em; }
details.msg-sources > summary, details.page-view > summary { cursor: pointer; font-weight: 600;
  font-size: .9rem; color: var(--body-text-color); padding: .2em 0; }
.source-head { font-size: .95rem; }
.message-content .source-card, #sources .source-card { margin: .5em 0; scroll-margin-top: 4em; }
.source-card:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
.source-card.selected { border: 2px solid #1d4ed8 !important; }
.passage sup, .src-table sup { font-size: .75em; line-height: 0; }
.table-scroll { overflow-x: auto; max-width: 100%; margin: .3em 0; }
table.src-table { border-collapse: collapse; font-size: .88em; min-width: 100%; }
.table-title { font-weight: 600; font-size: .9rem; padding: .2em 0; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; }
table.src-table th[scope="row"] { position: sticky; left: 0; z-index: 1; white-space: normal; min-width: 9em;
  max-width: 14em; background: var(--background-fill-primary); font-weight: 600; word-break: normal;
  overflow-wrap: normal; }
table.src-table th, table.src-table td { word-break: normal; overflow-wrap: normal; }
table.src-table th[scope="row"].cited-head { background: #fef3c7; }
table.src-table th, table.src-table td { border: 1px solid var(--border-color-primary); padding: .25em .45em;
  text-align: left; white-space: nowrap; color: var(--body-text-color); }
table.src-table .cited-head { background: #fef3c7; color: #1f2937; }
table.src-table td.cited { background: #fde68a; outline: 2px solid #b45309; outline-offset: -2px; }
table.src-table td.cited mark { background: transparent; color: #1f2937; font-weight: 700; }
.table-note { font-size: .85em; color: var(--body-text-color-subdued); margin: .2em 0; }
details.page-view img { max-width: 100%; height: auto; border: 1px solid var(--border-color-primary); }
.answer-actions { margin-top: .4em; }
.answer-actions .copy-text { display: none !important; }
button.copy-answer { font-size: .85em; padding: .2em .7em; border: 1px solid var(--border-color-primary);
  border-radius: 6px; background: var(--background-fill-primary); color: var(--body-text-color); cursor: pointer; }
@media (max-width: 760px) {
  #citation-pick, #sources, #sources-heading { display: none !important; }
}
"""

# Runs once at page load (Gradio ``js``). Chips: open the answer's sources, select and scroll to the card.
# Copy: the message's hidden plain text. New answers: scrolled into view even if the reader had scrolled up.
CITATION_JS = """
() => {
  if (window.__assistantChat) return;
  window.__assistantChat = true;
  const showSource = (id) => {
    const card = document.getElementById(id);
    if (!card) return;
    for (let d = card.closest('details'); d; d = d.parentElement && d.parentElement.closest('details')) d.open = true;
    document.querySelectorAll('.source-card.selected[id^="src-"]').forEach((c) => c.classList.remove('selected'));
    card.classList.add('selected');
    card.scrollIntoView({ block: 'start' });
    // A wide table on a phone: bring the first cited cell into the scrolling box's view, beside the row header.
    const cell = card.querySelector('td.cited');
    const box = cell && cell.closest('.table-scroll');
    if (box) {
      const header = cell.parentElement.querySelector('th');
      box.scrollLeft = Math.max(0, cell.offsetLeft - (header ? header.offsetWidth : 0) - 8);
    }
    card.focus({ preventScroll: true });
  };
  document.addEventListener('click', (event) => {
    const target = event.target instanceof Element ? event.target : null;
    const chip = target && target.closest('a.cite-chip');
    if (chip) {
      event.preventDefault();
      showSource((chip.getAttribute('href') || '').slice(1));
      return;
    }
    const copy = target && target.closest('button.copy-answer');
    if (copy) {
      const text = copy.parentElement.querySelector('.copy-text');
      if (!text || !navigator.clipboard) return;
      navigator.clipboard.writeText(text.textContent).then(() => {
        copy.textContent = 'Copied';
        setTimeout(() => { copy.textContent = 'Copy answer'; }, 2000);
      });
    }
  });
  let seen = -1;
  let answered = -1;
  let pickedCard;
  const follow = () => {
    // Gradio's example list is role="list" with buttons as its children, which is invalid ARIA (axe: critical).
    document.querySelectorAll('#chatbot .examples[role="list"]').forEach((list) => list.setAttribute('role', 'group'));
    const panel = document.getElementById('sources');
    if (panel && !panel.hasAttribute('aria-live')) {
      panel.setAttribute('aria-live', 'polite');
      panel.setAttribute('role', 'region');
      panel.setAttribute('aria-label', 'Sources of the latest answer');
    }
    // A citation picked in the Sources panel: bring its card into view.
    const picked = document.querySelector('#sources .source-card.selected');
    if (picked && picked !== pickedCard) {
      if (pickedCard !== undefined && picked.dataset.n !== '1') picked.scrollIntoView({ block: 'nearest' });
      pickedCard = picked;
    }
    const questions = document.querySelectorAll('#chatbot [data-testid="user"]');
    const bots = document.querySelectorAll('#chatbot [data-testid="bot"]');
    const last = bots[bots.length - 1];
    const done = last && !last.querySelector('.pending') ? bots.length : 0;
    if (seen < 0) { seen = questions.length; answered = done; return; }
    // A new question, or its answer replacing the placeholder: show the question with the answer below it.
    if (questions.length > seen || done > answered) {
      const anchor = questions[questions.length - 1];
      if (anchor) setTimeout(() => anchor.scrollIntoView({ block: 'start' }), 30);
    }
    seen = questions.length;
    answered = done;
  };
  new MutationObserver(() => requestAnimationFrame(follow)).observe(document.body, { childList: true, subtree: true });
  follow();
}
"""
