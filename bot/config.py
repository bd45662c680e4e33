"""One settings tree for every entry point.

Built once by the CLI, the API factory or a test (``Settings()`` reads ``ASSIST_*`` variables and an
optional ``.env``; nested groups use ``__``, e.g. ``ASSIST_SERVER__PORT=9000``) and passed down. There is no
module-level instance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigError

DEV_ENGINEER_KEY = "dev-engineer-key"
# Access-code hashes in development (and in the demo accounts); production sets its own.
DEV_CODE_KEY = "protelecom-assist/access-code/v1"


class PathSettings(BaseModel):
    data_dir: Path = Field(Path("var"), description="Where indexes, the database and reports live.")
    docs_dir: Path = Field(Path("knowledge/docs"), description="The bundled knowledge base.")
    flows_dir: Path = Field(Path("knowledge/flows"), description="Fault-isolation flows (YAML).")
    accounts_dir: Path = Field(Path("knowledge/accounts"), description="Seed accounts (YAML).")
    releases_file: Path = Field(
        Path("knowledge/releases.yaml"), description="Firmware release trains per product line."
    )
    kcs_file: Path = Field(
        Path("knowledge/kcs.yaml"),
        description="KCS policy: internal tool names, matching thresholds, review flag.",
    )


class IndexSettings(BaseModel):
    chroma_mode: Literal["embedded", "http"] = Field("embedded", description="Chroma client mode.")
    chroma_path: Path | None = Field(
        None, description="Embedded Chroma folder; default <data_dir>/index."
    )
    chroma_host: str = Field("127.0.0.1", description="Chroma server host (http mode).")
    chroma_port: int = Field(8001, ge=1, le=65535, description="Chroma server port (http mode).")
    collection: str = Field("kb", description="Collection name prefix.")
    max_file_bytes: int = Field(5_000_000, gt=0, description="Files larger than this are skipped.")


class EmbeddingSettings(BaseModel):
    model: str | None = Field(
        None, description="Local model folder; default the packaged all-MiniLM-L6-v2."
    )
    batch_size: int = Field(64, gt=0, le=4096, description="Texts per encode batch.")
    backend: Literal["onnx", "onnx-int8", "torch"] = Field(
        "onnx",
        description="Encoder runtime: onnx (ONNX Runtime, the model exported once into "
        "<data_dir>/models; the same vectors as torch), onnx-int8 (quantised: faster, vectors "
        "differ, its own index) or torch (sentence-transformers).",
    )
    cache_dir: Path | None = Field(
        None, description="Where the ONNX export is kept; default <data_dir>/models."
    )
    device: str = Field("cpu", description="Torch device (torch backend).")
    threads: int = Field(
        0,
        ge=0,
        description="Encoder threads per process (0: the runtime's default, one per core); "
        "`assist serve --workers N` sets cores / N unless given, so workers do not fight over "
        "the cores.",
    )


class LLMSettings(BaseModel):
    provider: str | None = Field(
        None, description="LangChain provider (openai, ollama); none = extractive."
    )
    model: str | None = Field(None, description="Chat model name.")
    base_url: str | None = Field(None, description="OpenAI-compatible or Ollama base URL.")
    api_key: SecretStr | None = Field(None, description="Provider API key.")
    timeout_s: float = Field(30.0, gt=0, description="Request timeout in seconds.")


MIN_KEY_CHARS = 32


class ServerSettings(BaseModel):
    host: str = Field("127.0.0.1", description="Bind address.")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For names the client; "
        "empty: none, the connecting address is the client (rate limits key on it).",
    )
    port: int = Field(8000, ge=1, le=65535, description="Bind port.")
    cors_origins: list[str] = Field(default_factory=list, description="Allowed browser origins.")
    cors_credentials: bool = Field(False, description="Allow credentialed CORS requests.")
    access_code_key: SecretStr = Field(
        SecretStr(DEV_CODE_KEY),
        description="Secret key of the access-code hashes (at least 32 characters in production).",
    )
    engineer_api_keys: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr(DEV_ENGINEER_KEY)],
        description="Keys for engineer routes.",
    )
    max_message_chars: int = Field(4000, gt=0, description="Longest chat message accepted.")
    max_session_messages: int = Field(300, gt=0, description="Messages one conversation takes.")
    max_session_chars: int = Field(
        100_000, gt=0, description="Characters of user text one conversation takes."
    )
    session_idle_hours: float = Field(
        72, gt=0, description="A site user's chat token expires after this long unused."
    )
    session_lifetime_days: float = Field(
        14, gt=0, description="A site user's chat token expires this long after the start."
    )
    engineer_idle_minutes: int = Field(60, gt=0, description="Engineer session idle expiry.")
    stream_seconds: float = Field(
        300.0, gt=0, description="A live event stream ends after this; clients reconnect."
    )
    engineer_session_hours: int = Field(12, gt=0, description="Engineer session absolute expiry.")
    max_inflight: int = Field(
        8,
        ge=0,
        description="API requests one worker serves at once (0: no limit); more wait for a slot.",
    )
    queue_wait_ms: int = Field(
        300, ge=0, description="How long a request waits for a slot before 503 overloaded."
    )
    retry_after_s: int = Field(1, ge=1, description="Retry-After of a 503 overloaded answer.")
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token GET /metrics requires when set; without one /metrics is open "
        "in development and off (404) in production.",
    )


LogFormat = Literal["json", "console"]


def _level_name(value: str | None) -> str | None:
    if value is None:
        return None
    name = value.strip().upper()
    if name not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ValueError("use one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
    return name


class LogSettings(BaseModel):
    format: LogFormat = Field(
        "json", description="json: one JSON object per line; console: aligned key=value lines."
    )
    level: str | None = Field(
        None, description="Logging level; default ASSIST_LOG_LEVEL (INFO).", validate_default=True
    )

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        return _level_name(value)


class WebhookSettings(BaseModel):
    """One webhook that receives every new handoff, signed with the Standard Webhooks scheme."""

    name: str = Field("webhook", pattern=r"^[a-z][a-z0-9_-]*$", description="Sink name.")
    url: str = Field(description="Receiver URL.")
    secret: SecretStr = Field(description="Signing secret, whsec_ followed by base64.")


class NotifySettings(BaseModel):
    jsonl: bool = Field(True, description="Append every handoff to <data_dir>/handoffs.jsonl.")
    webhooks: list[WebhookSettings] = Field(default_factory=list, description="Webhooks.")
    interval_s: float = Field(2.0, gt=0, description="Outbox delivery loop interval.")
    max_attempts: int = Field(8, ge=1, le=50, description="Attempts before a dead letter.")
    lease_s: float = Field(
        60.0,
        ge=15,
        description="How long a worker holds the entries it is delivering (10 at a time, 5 s "
        "timeout each); after a crash another worker sends them once this has passed.",
    )


class RetrievalSettings(BaseModel):
    k: int = Field(5, gt=0, le=100, description="Passages returned.")
    candidates: int = Field(
        40, gt=0, le=1000, description="Candidates per retriever before fusion."
    )
    rrf_k: int = Field(
        5, gt=0, description="Reciprocal-rank-fusion constant (small: top ranks dominate)."
    )
    bm25_weight: float = Field(1.0, ge=0, description="Weight of the BM25 ranking in fusion.")
    dense_weight: float = Field(1.0, ge=0, description="Weight of the dense ranking in fusion.")
    abstain_threshold: float = Field(
        0.44, ge=0, le=1, description="Below this evidence score: abstain."
    )
    doubt_threshold: float = Field(
        0.61,
        ge=0,
        le=1,
        description="A question using a rare word no document uses ('bluetooth') is answered "
        "only from evidence at least this strong.",
    )
    max_question_chars: int = Field(2000, gt=0, description="Longest question accepted.")


class ReportSettings(BaseModel):
    repeat_window_days: int = Field(
        7,
        ge=1,
        le=365,
        description="A resolved conversation counts as contained only if the same site and "
        "device have no new fault conversation or handoff within this many days.",
    )
    gap_similarity: float = Field(
        0.55,
        gt=0,
        le=1,
        description="Content gaps: unanswered questions whose mean cosine similarity is at "
        "least this are one gap.",
    )
    gap_clusters: int = Field(5, ge=1, le=100, description="Content gaps shown (the biggest).")


class Settings(BaseSettings):
    """Every setting of the assistant; see the README's configuration table."""

    model_config = SettingsConfigDict(
        env_prefix="ASSIST_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    environment: Literal["development", "production"] = Field(
        "development", description="production refuses insecure values."
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default SQLite in data_dir.", repr=False
    )
    accounts_source: Literal["files", "database"] = Field(
        "files",
        description="Where accounts come from: the YAML folder, or the database "
        "(filled by `assist accounts import`; for several workers).",
    )
    log_level: str = Field("INFO", description="Logging level (ASSIST_LOG__LEVEL overrides).")
    log: LogSettings = LogSettings()
    paths: PathSettings = PathSettings()
    index: IndexSettings = IndexSettings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    llm: LLMSettings = LLMSettings()
    server: ServerSettings = ServerSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    notify: NotifySettings = NotifySettings()
    reports: ReportSettings = ReportSettings()

    @model_validator(mode="after")
    def _refuse_insecure(self) -> Settings:
        if self.environment != "production":
            return self
        keys = [k.get_secret_value() for k in self.server.engineer_api_keys]
        if DEV_ENGINEER_KEY in keys:
            raise ValueError("server.engineer_api_keys holds the development key")
        if any(len(k.strip()) < MIN_KEY_CHARS for k in keys):
            raise ValueError(
                f"server.engineer_api_keys: every key needs at least {MIN_KEY_CHARS} characters "
                "in production (engineers can also sign in with a password instead)"
            )
        code_key = self.server.access_code_key.get_secret_value()
        if code_key == DEV_CODE_KEY or len(code_key) < MIN_KEY_CHARS:
            raise ValueError(
                f"server.access_code_key must be a secret of at least {MIN_KEY_CHARS} characters "
                "in production (then rotate every site's code: assist accounts rotate-code SITE)"
            )
        metrics = self.server.metrics_token
        if metrics is not None and len(metrics.get_secret_value().strip()) < MIN_KEY_CHARS:
            raise ValueError(
                f"server.metrics_token needs at least {MIN_KEY_CHARS} characters in production"
            )
        if "*" in self.server.cors_origins:
            raise ValueError("server.cors_origins='*' is refused in production; list the origins")
        return self

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        return _level_name(value) or "INFO"

    @property
    def logging_level(self) -> str:
        """The level in force: ``ASSIST_LOG__LEVEL``, else ``ASSIST_LOG_LEVEL``."""
        return self.log.level or self.log_level

    @property
    def chroma_dir(self) -> Path:
        return self.index.chroma_path or self.paths.data_dir / "index"

    @property
    def models_dir(self) -> Path:
        """Models derived from the packaged one (the ONNX export)."""
        return self.embedding.cache_dir or self.paths.data_dir / "models"

    @property
    def kcs_dir(self) -> Path:
        """Published KCS articles as Markdown, ingested into the knowledge base."""
        return self.paths.data_dir / "kcs"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.paths.data_dir / 'assist.db'}"


def load_settings(**overrides: object) -> Settings:
    """Build the settings, turning a validation error into one ConfigError naming the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        var = "ASSIST_" + "__".join(loc).upper() if loc else "ASSIST_*"
        raise ConfigError(f"{var}: {err['msg']}", setting=var) from None
