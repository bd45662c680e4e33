"""Renderings of a handoff record: Markdown for engineers, plain words for the site user.

``escape_markdown`` promises that text typed by a user renders as that literal text: Markdown
specials are backslash-escaped (CommonMark escapes every ASCII punctuation character), ``<``,
``>`` and ``&`` too, so no HTML tag or entity survives, and block markers at a line start (``#``,
``>``, ``-``, ``+``, ``=``, ``1.``) cannot start a heading, quote or list. For renderers with GFM's
autolinks (GitHub, Streamlit's ``st.markdown``) escaping is not enough: GFM finds ``https://...``,
``www...`` and e-mail addresses in the text after escapes are decoded, so ``defuse_links`` puts
an invisible word joiner inside each (before ``@``, after ``www`` and after ``:`` of ``://``);
``$`` is escaped too (maths).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot.escalation.decision import ActionKind, Category, RemoteResolution, Route, Tier
from bot.escalation.wording import format_day, format_time, place_name

if TYPE_CHECKING:
    from bot.escalation.decision import Action
    from bot.escalation.handoff import HandoffRecord

PRIORITY_MEANING: dict[str, str] = {"P1": "room down", "P2": "degraded", "P3": "question"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INLINE = re.compile(r"([\\`*_{}\[\]()!|<>&~:@$])")
_LINKISH = re.compile(r"(?<=\bwww)(?=\.)|(?=@)|(?<=:)(?=//)", re.IGNORECASE)
JOINER = "\u2060"  # WORD JOINER: invisible, and no line break
# Block markers only count at a line start, followed by a space or the end (">" by anything),
# so "9.4.0" or "-5 dB" stay readable while "1. x", "# x", "- x" and "---" are neutralised.
_LINE_START = re.compile(r"^(>|#{1,6}(?=\s|$)|[-+=](?=\s|$|[-+=]))|^(\d{1,9})([.)])(?=\s|$)")


def escape_markdown(text: str, *, inline: bool = True) -> str:
    """Make user text inert in Markdown. ``inline`` folds newlines into spaces (for list items);
    otherwise lines are kept (each escaped as a line start)."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (
        [" ".join(text.split())] if inline else [" ".join(ln.split()) for ln in text.split("\n")]
    )
    out = []
    for line in lines:
        line = _INLINE.sub(r"\\\1", defuse_links(line))
        line = _LINE_START.sub(_neutralise, line)
        out.append(line)
    return "\n".join(out)


def defuse_links(text: str) -> str:
    """``text`` with a word joiner inside every web or e-mail address, so no GFM renderer links
    it; what a reader sees is unchanged."""
    return _LINKISH.sub(JOINER, text)


def _neutralise(match: re.Match[str]) -> str:
    if match[1]:
        return "\\" + match[1]
    return f"{match[2]}\\{match[3]}"


def _yes(value: bool | None) -> str:
    return "not answered" if value is None else ("yes" if value else "no")


def _dates(action: Action) -> str:
    fields = {
        "dispatch": action.dispatch_date,
        "delivery": action.delivery_date,
        "return due": action.return_due_date,
        "on site": action.onsite_date,
    }
    parts = [f"{name} {value.isoformat()}" for name, value in fields.items() if value]
    if action.target_version:
        parts.append(f"target version {escape_markdown(action.target_version)}")
    return "; ".join(parts)


def render_markdown(record: HandoffRecord) -> str:
    """The engineer's view of a record, every dynamic string escaped."""
    e = escape_markdown
    env, dec = record.environment, record.decision
    zone = record.zone
    created = record.created_at.astimezone(zone)
    lines = [
        f"# Handoff {e(record.id)}: {e(env.site_name)}, {e(env.asset_model or env.asset_serial)}",
        "",
        f"**Priority:** {record.priority} ({PRIORITY_MEANING[record.priority]})  ",
        f"**Created:** {created:%Y-%m-%d %H:%M} {e(env.timezone)} ({created.isoformat()})",
        "",
        "## Issue (user's words)",
        "",
        *[f"> {line}" if line else ">" for line in e(record.issue, inline=False).split("\n")],
        "",
        "## Environment",
        "",
        f"- **Customer:** {e(env.customer_name)} ({e(env.customer_id)})",
        f"- **Site:** {e(env.site_name)} ({e(env.site_id)}), room {e(env.room or 'not given')}",
        f"- **Asset:** {e(env.asset_model or 'unknown model')} ({e(env.asset_product or '?')}), "
        f"serial {e(env.asset_serial)}, firmware {e(env.firmware or 'unknown')}"
        + (f"; {e(env.asset_identification)}" if env.asset_identification else ""),
    ]
    if env.contract_id and env.contract_tier and env.contract_valid_until:
        lines.append(
            f"- **Contract:** {e(env.contract_id)}, {env.contract_tier.label}, valid until "
            f"{env.contract_valid_until.isoformat()}"
        )
    else:
        lines.append("- **Contract:** none on file")
    lines += ["", "## Diagnostics", ""]
    for n, step in enumerate(record.diagnostics, 1):
        at = step.at.astimezone(zone)
        lines.append(
            f"{n}. {at:%H:%M} *{e(step.question)}* Answer: {e(step.answer)} "
            f"(step {e(step.step_id)})"
        )
    if not record.diagnostics:
        lines.append("No diagnostic steps were recorded.")
    lines += ["", "## Suspected cause", ""]
    cause = record.suspected_cause
    if cause:
        lines.append(
            f"{e(cause.summary)} (category {cause.category.value}, "
            f"confidence {round(cause.confidence * 100)}%)"
        )
    else:
        lines.append("Not determined.")
    lines += ["", "## Knowledge base consulted", ""]
    for n, cite in enumerate(record.kb_sources, 1):
        extra = "".join(
            f", {label} {e(value)}"
            for label, value in (("version", cite.version), ("section", cite.section))
            if value
        )
        lines.append(f"{n}. {e(cite.title)} ({e(cite.source)}{extra})")
    if not record.kb_sources:
        lines.append("No sources were consulted.")
    if record.articles:
        lines += ["", "## KCS articles", ""]
        for note in record.articles:
            if note.role == "tried":
                how = "tried in the chat: " + ("it worked" if note.worked else "it did not help")
            else:
                how = "engineer-only" if note.audience == "engineer" else "not offered in the chat"
            reviewed = f", reviewed {note.reviewed_on.isoformat()}" if note.reviewed_on else ""
            steps = " ".join(f"{n}) {e(step)}" for n, step in enumerate(note.fix, 1))
            lines.append(
                f"- **{e(note.id)}** ({how}{reviewed}): {e(note.title)}"
                + (f". Fix: {steps}" if steps else "")
            )
    tier = dec.tier.label if dec.tier else "not covered"
    callback = f" at {dec.callback_at.astimezone(zone).isoformat()}" if dec.callback_at else ""
    lines += [
        "",
        "## Decision",
        "",
        f"- **Entitled:** {_yes(dec.entitled)} ({tier})",
        f"- **Route:** {dec.route.value.replace('_', ' ')}{callback}",
        f"- **Category:** {dec.category.value}; remote troubleshooting "
        f"{dec.remote_resolution.value.replace('_', ' ')}",
    ]
    for action in dec.actions:
        detail = _dates(action)
        lines.append(f"- **Action:** {action.kind.value}" + (f": {detail}" if detail else ""))
    lines.append(f"- **Site representative required:** {_yes(dec.site_representative_required)}")
    lines += ["", "Reasons:", "", *[f"- {e(reason)}" for reason in dec.reasons]]
    lines += ["", "## Site representative", ""]
    rep = record.site_representative
    if rep:
        lines.append(
            f"{e(rep.name or 'name not given')}, {e(rep.phone or 'no phone given')}; on site: "
            f"{_yes(rep.on_site)}; available for the duration: "
            f"{_yes(rep.available_for_duration)}"
        )
    else:
        lines.append("Not collected.")
    return "\n".join(lines) + "\n"


def render_user_summary(record: HandoffRecord) -> str:
    """Plain words for the site user: what happens next and when, dates as "Wednesday 25 Nov"."""
    env, dec = record.environment, record.decision
    zone = record.zone
    today = record.created_at.astimezone(zone).date()
    place = place_name(env.site_name, env.city, env.timezone)

    def day(value: date) -> str:
        return format_day(value, reference=today)

    def moment(value: datetime) -> str:
        local = value.astimezone(zone)
        return f"{format_time(local)} {place} time on {day(local.date())}"

    if not dec.entitled:
        why = dec.reasons[0] if dec.reasons else "Your site's contract does not cover this."
        return (
            f"{why} We can still help on a time-and-materials basis, or your account contact "
            f"can review the contract with you. The self-service guides stay open to you. "
            f"Your reference is {record.id}."
        )
    parts: list[str] = []
    rep = record.site_representative
    if dec.route is Route.CALLBACK and dec.callback_at:
        on = f" on {rep.phone_display or rep.phone}" if rep and rep.phone else ""
        parts.append(
            f"An engineer will call you back{on} at {moment(dec.callback_at)}. Until then you can "
            "add notes in this chat; the engineer will read them."
        )
    else:
        parts.append("An engineer will join this chat to work on it with you.")
    for action in dec.actions:
        parts.append(_action_words(action, day))
    resolved = (
        dec.category is Category.RESOLVED or dec.remote_resolution is RemoteResolution.RESOLVED
    )
    if resolved and not dec.actions:
        parts.append("Your problem is solved, so nothing needs to be sent or scheduled.")
    if dec.site_representative_required:
        if dec.tier is Tier.PREMIER_PLUS:
            parts.append(
                "Please keep a site representative who knows the room with us for the whole "
                "troubleshooting and repair."
            )
        else:
            parts.append("Please have someone who knows the room ready to work with the engineer.")
    parts.append(f"Your reference is {record.id}.")
    return " ".join(parts)


def _action_words(action: Action, say: Callable[[date], str]) -> str:
    kind = action.kind
    if kind is ActionKind.SHIP_REPLACEMENT and action.dispatch_date and action.delivery_date:
        text = (
            f"A replacement unit ships on {say(action.dispatch_date)} and arrives on "
            f"{say(action.delivery_date)}."
        )
        if action.return_due_date:
            text += f" Please send the faulty unit back by {say(action.return_due_date)}."
        return text
    if kind is ActionKind.ONSITE_DISPATCH and action.onsite_date:
        return f"A technician will come to your site on {say(action.onsite_date)}."
    if kind is ActionKind.REMOTE_TROUBLESHOOTING:
        return (
            "First, the engineer will work on the fault with you remotely; if that does not fix "
            "it, a technician will come to your site the next business day."
        )
    if kind is ActionKind.NETWORK_ESCALATION:
        return "Your case goes to our senior network engineers."
    if kind is ActionKind.SOFTWARE_UPDATE:
        if action.target_version:
            return (
                f"The engineer will arrange the firmware update to version {action.target_version}."
            )
        return "The engineer will confirm which firmware update you need."
    return action.reason
