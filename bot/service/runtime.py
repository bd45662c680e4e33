"""Building the service from settings: the one place that opens the stores and loads the model.

Entry points (API, CLI chat, console) call ``build_runtime`` once per process and pass the result
down; nothing here runs at import.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.dialogue.loader import load_flows
from bot.dialogue.router import Router
from bot.dialogue.schema import Flow
from bot.errors import AssistError, ConfigError
from bot.escalation.accounts import Accounts, load_accounts
from bot.escalation.releases import load_releases
from bot.kb.embedder import Embedder, QueryCache
from bot.kb.service import KnowledgeBase, make_embedder
from bot.metrics import Metrics
from bot.service.account_answers import StoreRecords
from bot.service.assistant import Assistant
from bot.service.conversation import Conversation
from bot.service.engineers import EngineerDesk
from bot.service.identity import EngineerAuth
from bot.service.kcs import KnowledgeArticles
from bot.service.kcs_index import KcsIndex
from bot.service.kcs_match import ArticleFinder
from bot.service.kcs_rules import load_catalogue, load_policy
from bot.service.kcs_views import ArticleReader
from bot.service.live import LiveHub
from bot.service.notify import DeliveryLoop, Sink, build_sinks
from bot.store.store import Store

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """What a process serves with: the settings, the model, the knowledge base, the accounts,
    the flows, the store, the sinks, and the two services (site users' conversations and the
    engineers' desk)."""

    settings: Settings
    embedder: Embedder
    kb: KnowledgeBase | None
    accounts: Accounts
    flows: dict[str, Flow]
    router: Router
    store: Store
    sinks: dict[str, Sink]
    delivery: DeliveryLoop
    assistant: Assistant
    engineers: EngineerDesk
    auth: EngineerAuth
    hub: LiveHub
    kb_problem: str | None = None
    metrics: Metrics = field(default_factory=Metrics)
    kcs: KnowledgeArticles | None = None  # set by build_runtime; None only in hand-built ones


def load_bundled_flows(directory: Path) -> dict[str, Flow]:
    result = load_flows(directory)
    for error in result.errors:
        log.error("flows.invalid %s", error)
    if not result.flows:
        raise ConfigError(f"no valid flows in {directory}", setting="ASSIST_PATHS__FLOWS_DIR")
    return {f.id: f for f in result.flows}


def load_runtime_accounts(settings: Settings, store: Store) -> Accounts:
    """Accounts from the YAML folder, or from the database that several workers share."""
    key = settings.server.access_code_key.get_secret_value()
    if settings.accounts_source == "files":
        return load_accounts(
            settings.paths.accounts_dir,
            code_key=key,
            strong_codes=settings.environment == "production",
        )
    stored = store.customers()
    if not stored:
        raise ConfigError(
            "no accounts in the database; run `assist accounts import knowledge/accounts`",
            setting="ASSIST_ACCOUNTS_SOURCE",
        )
    sources = tuple(sorted({source for source, _ in stored}))
    return Accounts.from_documents((doc for _, doc in stored), sources=sources, code_key=key)


def build_runtime(
    settings: Settings, embedder: Embedder | None = None, metrics: Metrics | None = None
) -> Runtime:
    """Open everything the service needs; a missing index degrades to flows-only, not a crash.
    ``metrics`` is the app's (``/metrics`` shows what the services count into it)."""
    metrics = metrics or Metrics()
    embedder = QueryCache(embedder or make_embedder(settings))
    embedder.warm_up()
    store = Store.from_url(settings.db_url)
    store.create_schema()  # first: a database still starting fails here, before the index loads
    kb: KnowledgeBase | None = None
    problem = None
    try:
        kb = KnowledgeBase.from_settings(settings, embedder=embedder)
    except AssistError as exc:
        problem = "the knowledge base index is missing or unreadable (run assist ingest)"
        log.error("kb.unavailable reason=%s", exc)  # the path is in the log, never in /readyz
    if kb is not None:
        try:
            kb.warm_up()
        except AssistError as exc:  # a Chroma server still starting: /readyz reports it
            log.warning("kb.warm_up_failed reason=%s", exc)
    accounts = load_runtime_accounts(settings, store)
    flows = load_bundled_flows(settings.paths.flows_dir)
    router = Router(flows, embedder)
    router.warm_up()
    releases = settings.paths.releases_file
    latest = load_releases(releases).latest_versions() if releases.is_file() else {}
    notify = settings.notify
    sinks = build_sinks(
        settings.paths.data_dir / "handoffs.jsonl" if notify.jsonl else None,
        [(w.name, w.url, w.secret.get_secret_value()) for w in notify.webhooks],
    )
    delivery = DeliveryLoop(
        store.outbox,
        sinks,
        interval_s=notify.interval_s,
        max_attempts=notify.max_attempts,
        lease_s=notify.lease_s,
        metrics=metrics,
    )
    kcs_policy = load_policy(settings.paths.kcs_file)
    catalogue = load_catalogue(releases, accounts)
    finder = ArticleFinder(
        ArticleReader(store.kcs, catalogue, kcs_policy).published, embedder, kcs_policy
    )
    conversation = Conversation(
        accounts=accounts,
        flows=flows,
        router=router,
        kb=kb,
        latest_versions=latest,
        records=StoreRecords(store),
        sinks=tuple(sinks),
        fixes=finder,
    )
    hub = LiveHub()
    assistant = Assistant(
        conversation=conversation,
        accounts=accounts,
        store=store,
        max_message_chars=settings.server.max_message_chars,
        max_session_messages=settings.server.max_session_messages,
        max_session_chars=settings.server.max_session_chars,
        session_idle=timedelta(hours=settings.server.session_idle_hours),
        session_lifetime=timedelta(days=settings.server.session_lifetime_days),
        on_effects=lambda effects: delivery.wake(),
        publish=hub.publish,
        metrics=metrics,
    )
    auth = EngineerAuth(
        store,
        idle=timedelta(minutes=settings.server.engineer_idle_minutes),
        absolute=timedelta(hours=settings.server.engineer_session_hours),
    )
    if settings.environment == "development":
        auth.ensure_dev_engineers()
    engineers = EngineerDesk(
        store=store,
        assistant=assistant,
        accounts=accounts,
        flows=flows,
        find_engineer=lambda engineer_id: next(
            (e for e in auth.all() if e.id == engineer_id), None
        ),
        publish=hub.publish,
    )
    return Runtime(
        settings,
        embedder,
        kb,
        accounts,
        flows,
        router,
        store,
        sinks,
        delivery,
        assistant,
        engineers,
        auth,
        hub,
        problem,
        metrics=metrics,
        kcs=KnowledgeArticles(
            rows=store.kcs,
            desk=engineers,
            catalogue=catalogue,
            policy=kcs_policy,
            index=KcsIndex(
                settings.kcs_dir,
                lambda: conversation.kb,
                max_file_bytes=settings.index.max_file_bytes,
            ),
            embedder=embedder,
            finder=finder,
            clock=lambda: engineers.clock(),
        ),
    )
