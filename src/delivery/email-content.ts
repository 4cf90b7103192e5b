/**
 * What an e-mail about events says (pure): the subject, plain-text and HTML bodies for one event version, and for a
 * digest of many versions folded into one mail by the throttle. Every value from an event is HTML-escaped; links are
 * absolute URLs handed in by the caller.
 */
import type { EventSubject, Severity, SightEvent } from '../core/types.ts';
import type { VersionKind } from './sender.ts';

/** Absolute URLs a mail links to for one event: the event (JSON), its snapshot (null: none) and its clip. */
export interface MailLinks {
  readonly event: string;
  readonly snapshot: string | null;
  readonly clip: string;
}

/** One event version as a mail shows it. */
export interface MailVersion {
  readonly kind: VersionKind;
  readonly event: SightEvent;
  readonly links: MailLinks;
}

/** A mail's subject line and its two bodies. */
export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { info: 0, warning: 1, critical: 2 };
const SEVERITY_COLOR: Readonly<Record<Severity, string>> = { info: '#2563eb', warning: '#d97706', critical: '#dc2626' };
const KIND_WORD: Readonly<Record<VersionKind, string>> = { start: 'started', update: 'updated', end: 'ended', instant: 'happened' };

/** Text made safe inside HTML elements and double- or single-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One line, no control characters: a header value can never be split into two. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** An epoch time in ms as ISO 8601 UTC; the raw number when it is not a valid date. */
export function isoTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** `person 0.91 (track 3)`. */
function subjectText(s: EventSubject): string {
  return `${s.label} ${s.score.toFixed(2)} (track ${s.trackId})`;
}

function subjectsText(e: SightEvent): string {
  return e.subjects.length === 0 ? 'none' : e.subjects.map(subjectText).join(', ');
}

function endText(e: SightEvent): string {
  if (e.endMs === null) return 'in progress';
  return e.endReason ? `${isoTime(e.endMs)} (${e.endReason})` : isoTime(e.endMs);
}

/** `warning: fall on hall (started)`. */
function headline(v: MailVersion): string {
  return `${v.event.severity}: ${v.event.type} on ${v.event.cameraId} (${KIND_WORD[v.kind]})`;
}

/** A labelled fact: its text, and its HTML when that is more than the escaped text. */
interface Fact {
  readonly label: string;
  readonly text: string;
  readonly html?: string;
}

/** The labelled facts of one version, in the order both bodies show them; the attributes last. */
function facts(v: MailVersion): Fact[] {
  const e = v.event;
  return [
    { label: 'Type', text: e.type },
    { label: 'Camera', text: e.cameraId },
    { label: 'Rule', text: e.ruleId },
    { label: 'Severity', text: e.severity, html: severityBadge(e.severity) },
    { label: 'Version', text: KIND_WORD[v.kind] },
    { label: 'Started', text: isoTime(e.startMs) },
    { label: 'Ended', text: endText(e) },
    { label: 'Subjects', text: subjectsText(e) },
    ...Object.entries(e.attributes).map(([label, value]) => ({ label, text: String(value) })),
  ];
}

function linkList(links: MailLinks): [string, string][] {
  return [['Event', links.event], ...(links.snapshot ? [['Snapshot', links.snapshot] as [string, string]] : []), ['Clip', links.clip]];
}

function anchor(label: string, url: string): string {
  return `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`;
}

function htmlPage(title: string, body: string): string {
  return [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>`,
    `<body style="font-family:system-ui,sans-serif;font-size:14px;color:#111">${body}</body></html>`,
  ].join('\n');
}

function severityBadge(s: Severity): string {
  return `<span style="color:${SEVERITY_COLOR[s]};font-weight:bold">${escapeHtml(s)}</span>`;
}

/**
 * The mail for one event version; `snapshotCid` (without `cid:`) shows the snapshot inline in the HTML body, null
 * leaves it out of the body (it may still travel as an attachment).
 */
export function eventMail(v: MailVersion, subjectPrefix: string, snapshotCid: string | null): MailContent {
  const subject = oneLine(`${subjectPrefix} ${headline(v)}`);
  const rows = facts(v);
  const width = Math.max(...rows.map((f) => f.label.length)) + 2;
  const text = [
    headline(v),
    '',
    ...rows.map((f) => `${`${f.label}:`.padEnd(width)}${f.text}`),
    '',
    ...linkList(v.links).map(([k, url]) => `${`${k}:`.padEnd(width)}${url}`),
    '',
  ].join('\n');
  const table = rows
    .map((f) => `<tr><th align="left" style="padding:2px 12px 2px 0">${escapeHtml(f.label)}</th><td>${f.html ?? escapeHtml(f.text)}</td></tr>`)
    .join('\n');
  const img = snapshotCid ? `<p><img src="cid:${escapeHtml(snapshotCid)}" alt="snapshot" style="max-width:100%"></p>` : '';
  const html = htmlPage(subject, [
    `<h2 style="margin:0 0 8px">${escapeHtml(headline(v))}</h2>`,
    img,
    `<table>${table}</table>`,
    `<p>${linkList(v.links).map(([k, url]) => anchor(k, url)).join(' &middot; ')}</p>`,
  ].join('\n'));
  return { subject, text, html };
}

function highest(vs: readonly MailVersion[]): Severity {
  return vs.reduce<Severity>((top, v) => (SEVERITY_RANK[v.event.severity] > SEVERITY_RANK[top] ? v.event.severity : top), 'info');
}

/** `hall, yard, gate +2`. */
function cameraList(vs: readonly MailVersion[], most = 3): string {
  const ids = [...new Set(vs.map((v) => v.event.cameraId))];
  return ids.length > most ? `${ids.slice(0, most).join(', ')} +${ids.length - most}` : ids.join(', ');
}

/**
 * One mail listing many event versions, one line each (time, severity, event, rule, version, subjects, link):
 * what the throttle folds when a destination's mail limit is reached; `snapshotCid` shows the first version's
 * snapshot inline, null none.
 */
export function digestMail(vs: readonly MailVersion[], subjectPrefix: string, snapshotCid: string | null = null): MailContent {
  const subject = oneLine(`${subjectPrefix} digest: ${vs.length} events, highest ${highest(vs)}, on ${cameraList(vs)}`);
  const intro = `${vs.length} event versions were folded into this one mail because this destination's mail limit was reached.`;
  const line = (v: MailVersion) =>
    [isoTime(v.event.startMs), v.event.severity, `${v.event.type} on ${v.event.cameraId}`, `rule ${v.event.ruleId}`, KIND_WORD[v.kind], subjectsText(v.event), v.links.event].join('  ');
  const text = [intro, '', ...vs.map((v) => `- ${line(v)}`), ''].join('\n');
  const cell = (content: string) => `<td style="padding:2px 10px 2px 0">${content}</td>`;
  const head = ['Started', 'Severity', 'Event', 'Rule', 'Version', 'Subjects', 'Links'].map((h) => `<th align="left">${h}</th>`).join('');
  const rows = vs.map((v) => {
    const links = linkList(v.links).map(([k, url]) => anchor(k, url)).join(' ');
    const cells = [
      escapeHtml(isoTime(v.event.startMs)),
      severityBadge(v.event.severity),
      escapeHtml(`${v.event.type} on ${v.event.cameraId}`),
      escapeHtml(v.event.ruleId),
      escapeHtml(KIND_WORD[v.kind]),
      escapeHtml(subjectsText(v.event)),
      links,
    ];
    return `<tr>${cells.map(cell).join('')}</tr>`;
  });
  const img = snapshotCid ? `<p><img src="cid:${escapeHtml(snapshotCid)}" alt="snapshot of the first event" style="max-width:100%"></p>` : '';
  const html = htmlPage(subject, [
    `<h2 style="margin:0 0 8px">${escapeHtml(`Digest: ${vs.length} events`)}</h2>`,
    `<p>${escapeHtml(intro)}</p>`,
    img,
    `<table><tr>${head}</tr>\n${rows.join('\n')}</table>`,
  ].join('\n'));
  return { subject, text, html };
}
