"""Site configuration: one council per deployment, read from sites/<slug>/site.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SITES_DIR = BASE_DIR / "sites"
REGIONS = ("GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR", "IE")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class SiteConfigError(ValueError):
    """A site.toml that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class SiteConfig:
    slug: str
    name: str
    short_name: str
    fixtures: str
    region: str
    timezone: str
    languages: tuple[str, ...]
    reference_prefix: str
    map_centre: tuple[float, float]
    map_zoom: int
    tile_url: str
    mail_sender: str
    primary_colour: str
    secondary_colour: str
    logo: str
    small_number_threshold: int
    working_day_start: time
    working_day_end: time
    auto_close_days: int = 14
    reopen_window_days: int = 28
    at_risk_fraction: float = 0.2
    website: str = ""
    phone: str = ""
    # The address residents reach this site at: every link in an email, a text message or a
    # feed starts with it (CRM_PUBLIC_URL in the environment overrides it).
    public_url: str = "http://127.0.0.1:8000"
    # [pages]: the council's own privacy notice and accessibility statement (plain text,
    # paragraphs separated by blank lines); empty means the portal's default wording.
    privacy_notice: str = ""
    privacy_contact: str = ""
    accessibility_statement: str = ""
    accessibility_contact: str = ""
    # [security]: a second factor for everyone who can see other people's personal data (off
    # only on demo sites, whose accounts share a published password); staff sessions end after
    # this many idle minutes and, whatever the activity, this many hours after signing in.
    require_mfa: bool = True
    staff_idle_minutes: int = 30
    staff_session_hours: int = 10
    directory: Path = field(default=SITES_DIR)

    @property
    def data_dir(self) -> Path:
        return self.directory

    @property
    def fixtures_dir(self) -> Path:
        return BASE_DIR / "fixtures" / self.fixtures


def _require(table: dict, key: str, path: Path, section: str) -> object:
    if key not in table:
        raise SiteConfigError(f"{path}: [{section}] {key} is required")
    return table[key]


def load_site(slug: str, sites_dir: Path = SITES_DIR) -> SiteConfig:
    """Read and validate sites/<slug>/site.toml."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", slug):
        raise SiteConfigError(f"CRM_SITE={slug!r} is not a valid site slug")
    path = sites_dir / slug / "site.toml"
    if not path.is_file():
        raise SiteConfigError(f"{path} does not exist (CRM_SITE={slug!r})")
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    council = data.get("council", {})
    map_ = data.get("map", {})
    branding = data.get("branding", {})
    service = data.get("service", {})
    pages = data.get("pages", {})

    region = str(_require(council, "region", path, "council"))
    if region not in REGIONS:
        raise SiteConfigError(f"{path}: [council] region must be one of {', '.join(REGIONS)}")
    prefix = str(_require(council, "reference_prefix", path, "council"))
    if not re.fullmatch(r"[A-Z]{2,6}", prefix):
        raise SiteConfigError(f"{path}: [council] reference_prefix must be 2-6 capital letters")
    languages = tuple(council.get("languages", ["en"]))
    if not languages or any(lang not in ("en", "cy", "ga") for lang in languages):
        raise SiteConfigError(f"{path}: [council] languages must be a list of en, cy, ga")
    colours = {k: branding.get(k, "#1d70b8") for k in ("primary_colour", "secondary_colour")}
    for key, value in colours.items():
        if not _COLOUR.match(value):
            raise SiteConfigError(f"{path}: [branding] {key} must look like #1d70b8")
    centre = map_.get("centre", [54.0, -2.0])
    public_url = str(council.get("public_url", "http://127.0.0.1:8000")).rstrip("/")
    if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", public_url):
        raise SiteConfigError(
            f"{path}: [council] public_url must be an address like https://report.example.gov.uk"
        )
    threshold = int(data.get("privacy", {}).get("small_number_threshold", 5))
    if threshold < 0:
        raise SiteConfigError(f"{path}: [privacy] small_number_threshold must be 0 or more")

    security = data.get("security", {})
    require_mfa = security.get("require_mfa", True)
    if not isinstance(require_mfa, bool):
        raise SiteConfigError(f"{path}: [security] require_mfa must be true or false")
    idle, hours = security.get("staff_idle_minutes", 30), security.get("staff_session_hours", 10)
    if not isinstance(idle, int) or not 1 <= idle <= 24 * 60:
        raise SiteConfigError(f"{path}: [security] staff_idle_minutes must be 1 to 1440")
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 7:
        raise SiteConfigError(f"{path}: [security] staff_session_hours must be 1 to 168")

    return SiteConfig(
        slug=slug,
        name=str(_require(council, "name", path, "council")),
        short_name=str(council.get("short_name", council["name"])),
        fixtures=str(council.get("fixtures", slug)),
        region=region,
        timezone=str(council.get("timezone", "Europe/London")),
        languages=languages,
        reference_prefix=prefix,
        map_centre=(float(centre[0]), float(centre[1])),
        map_zoom=int(map_.get("zoom", 11)),
        tile_url=str(map_.get("tile_url", "")),
        mail_sender=str(data.get("mail", {}).get("sender", "no-reply@localhost")),
        primary_colour=colours["primary_colour"],
        secondary_colour=colours["secondary_colour"],
        logo=str(branding.get("logo", "")),
        small_number_threshold=threshold,
        working_day_start=time.fromisoformat(service.get("working_day_start", "09:00")),
        working_day_end=time.fromisoformat(service.get("working_day_end", "17:00")),
        auto_close_days=int(service.get("auto_close_days", 14)),
        reopen_window_days=int(service.get("reopen_window_days", 28)),
        at_risk_fraction=float(service.get("at_risk_fraction", 0.2)),
        website=str(council.get("website", "")),
        phone=str(council.get("phone", "")),
        public_url=public_url,
        privacy_notice=str(pages.get("privacy_notice", "")).strip(),
        privacy_contact=str(pages.get("privacy_contact", "")),
        accessibility_statement=str(pages.get("accessibility_statement", "")).strip(),
        accessibility_contact=str(pages.get("accessibility_contact", "")),
        require_mfa=require_mfa,
        staff_idle_minutes=idle,
        staff_session_hours=hours,
        directory=sites_dir / slug,
    )
