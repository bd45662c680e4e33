"""Answers to the user's questions: about the customer's own account (contract and hours, cases,
the equipment's firmware, and whether a newer firmware fixes what they describe), and from the
knowledge base, whose abstention offers an engineer except in the middle of a check."""

from __future__ import annotations

from bot.devices import DeviceCategory
from bot.dialogue.cues import question_shape
from bot.dialogue.state import Message
from bot.dialogue.steps import text
from bot.dialogue.topics import account_topic
from bot.errors import AssistError
from bot.escalation.accounts import Accounts, Asset, Site
from bot.kb.answer import Answer as KbAnswer
from bot.kb.answer import without_offer
from bot.kb.known_issues import find_fix
from bot.kb.retriever import Filters
from bot.kb.service import KnowledgeBase
from bot.service.account_answers import AccountAnswers
from bot.service.choices import PERSON, YES_NO
from bot.service.equipment import identify, mentions, strip_places
from bot.service.kcs_match import FixFinder
from bot.service.kcs_usage import answer_filters
from bot.service.state import Offer, SessionState
from bot.service.turn import Turn


class QuestionTurns:
    """Questions over the site's accounts, its records and the knowledge base."""

    def __init__(
        self,
        *,
        accounts: Accounts,
        answers: AccountAnswers,
        kb: KnowledgeBase | None,
        fixes: FixFinder | None,
    ) -> None:
        self.accounts = accounts
        self.answers = answers
        self.kb = kb
        self.fixes = fixes  # KCS articles for devices the site does not have are left out

    def _site(self, state: SessionState) -> Site | None:
        return self.accounts.site(state.site_id)

    def account(self, t: Turn, topic: str, said: str = "") -> None:
        site = self._site(t.state)
        if site is None:
            t.say(text("I cannot find your site's account.", [PERSON]))
            return
        about: tuple[Asset, ...] = ()
        if topic == "firmware" and said:
            mention = mentions(site, said)
            about = (
                tuple(
                    a
                    for a in site.assets
                    if (not mention.kinds or a.kind in mention.kinds)
                    and (not mention.rooms or a.room in mention.rooms)
                    and (not mention.models or a.model in mention.models)
                )
                if mention
                else ()
            )
        t.say(self.answers.answer(topic, site, t.now, about))  # type: ignore[arg-type]
        if topic == "firmware" and said:
            self._firmware_fix(t, site, said)

    def _firmware_fix(self, t: Turn, site: Site, said: str) -> None:
        """ "does a newer firmware fix the HDMI issue?": check the named device's known issues."""
        if self.kb is None:
            return
        found = identify(site, list(DeviceCategory), mentions(site, said))
        asset = found.asset
        if asset is None or asset.product is None:
            return
        finding = find_fix(self.kb, said, asset.product, asset.firmware)
        if finding.found and finding.fixed_in:
            t.state = t.state.with_sources(finding.citations)
            t.say(
                Message(
                    type="text",
                    text=f"For the {asset.describe()}: {finding.summary} This is fixed in "
                    f"{finding.fixed_in}; it runs {asset.firmware}.",
                    citations=finding.citations,
                )
            )

    def answer_if_known(self, t: Turn, said: str) -> KbAnswer | None:
        """The knowledge base's answer to a message asked as a question (not a fault report) that
        the router could not place, when the notes do answer it; None otherwise."""
        shape = question_shape(said)
        if self.kb is None or not shape.asks or shape.symptom:
            return None
        try:
            answer = self.kb.ask(self._for_notes(t.state, said), filters=self._filters(t.state))
        except AssistError:
            return None
        return None if answer.abstained else answer

    def answer(
        self, t: Turn, question: str, answer: KbAnswer | None = None, aside: bool = False
    ) -> None:
        """The knowledge base's answer; an abstention offers an engineer (yes / no), except
        ``aside``, a question asked in the middle of a check: there a yes would answer the check."""
        if self.kb is None:
            t.say(text("The knowledge base is not available right now.", [PERSON]))
            return
        try:
            answer = answer or self.kb.ask(
                self._for_notes(t.state, question), filters=self._filters(t.state)
            )
        except AssistError as exc:
            t.say(text(str(exc), [PERSON]))
            return
        citations = tuple(answer.citations)
        t.state = t.state.with_sources(citations)
        t.kb_result = "abstained" if answer.abstained else "answered"
        said = answer.text
        if answer.abstained:
            t.state = t.state.with_abstained(question)
            if aside:
                said = (
                    f'{without_offer(said)} Say "talk to a person" if you want an engineer on it.'
                )
            else:
                t.set(offer=Offer(kind="engineer"))
        offer = answer.abstained and not aside
        t.say(
            Message(
                type="text", text=said, choices=(*YES_NO,) if offer else (), citations=citations
            )
        )

    def side_question(self, t: Turn, said: str) -> None:
        """A question asked in the middle of a check or of choosing the device: the customer's
        own contract, or the knowledge base's answer without a yes/no offer of its own."""
        topic = account_topic(said)
        if topic is not None:
            self.account(t, topic, said)
        else:
            self.answer(t, said, aside=True)
            t.set(offer=None)

    def _for_notes(self, state: SessionState, question: str) -> str:
        """The question as the notes can read it: the site's rooms ("the codec in Circular Quay")
        and city say where, not what the question is about, and no release note names them, so
        they are left out rather than taken for something the notes lack."""
        site = self._site(state)
        return strip_places(site, question) if site else question

    def _filters(self, state: SessionState) -> Filters:
        """A site user's knowledge answers: customer documents, without KCS articles for devices
        or firmware the site does not have."""
        site = self._site(state)
        return answer_filters(self.fixes, site.assets if site else ())
