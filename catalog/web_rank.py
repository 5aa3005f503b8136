"""Importing a web traffic rank list (Tranco, docs/domain.md "Traffic rank"), which feeds the catalog's web rank rule.

``rank,domain`` lines without a header (Tranco's top-1m.csv, also inside its ZIP). The file is
streamed line by line (mediareg.csvfiles.LineSource); only the set of our outlets' domains (and their
registrable parents) is kept in memory, never the list. A plain function that never prints: the
import_web_rank command parses arguments, shows progress and prints the summary.
"""

from __future__ import annotations

import datetime
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from mediareg.audit import audit_context
from mediareg.csvfiles import ImportFileError, LineSource, Progress
from partners.models import MediaOutlet, MediaType, OutletDomain

from .eligibility import RecheckSummary, recheck_outlets
from .models import EligibilityPolicy, OutletWebRank, Trigger, WebRankList

WEB_RANK_ACTOR = "system:import_web_rank"

# Second-level suffixes under which names are registered (a small explicit list, no dependency):
# news.kabar.co.id belongs to kabar.co.id, but news.kabar.id to kabar.id. Also a few hosting
# services whose customers get their own subdomain, so that kabar.blogspot.com does not get
# blogspot.com's rank.
SECOND_LEVEL_SUFFIXES = frozenset({
    "co.id", "or.id", "ac.id", "go.id", "web.id", "my.id", "sch.id", "net.id", "biz.id", "ponpes.id",
    "mil.id", "desa.id",
    "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "net.uk",
    "com.au", "net.au", "org.au", "com.sg", "com.my", "co.jp", "co.nz", "com.br", "co.in", "co.kr",
    "com.cn", "com.hk", "com.tw", "co.th", "com.ph", "com.vn",
    "blogspot.com", "wordpress.com", "wixsite.com", "weebly.com", "github.io",
})
RANK_BATCH_SIZE = 5000
MALFORMED_SHOWN = 20


def registrable_domain(domain: str) -> str:
    """The name a registrant owns: kabar.co.id for news.kabar.co.id, kabar.com for m.kabar.com."""
    labels = domain.split(".")
    if len(labels) >= 3 and ".".join(labels[-2:]) in SECOND_LEVEL_SUFFIXES:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


@dataclass
class WebRankResult:
    rank_list: WebRankList
    rows_read: int
    outlets: int
    ranked: int
    malformed_count: int
    malformed: list[tuple[int, str]]  # the first MALFORMED_SHOWN: (line, text)
    replaced: bool
    recheck: RecheckSummary | None


def default_list_id(path: str | Path) -> str:
    name = Path(path).name
    for suffix in (".zip", ".csv", ".txt"):
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)]
    return name[:50] or "list"


def scan_rank_file(path: Path, wanted: set[bytes], progress: Progress | None = None):
    """Stream the list once; return (best rank per wanted domain, rows read, malformed count, first
    malformed lines). Memory holds only ``wanted`` and what matched, whatever the list's length."""
    found: dict[bytes, int] = {}
    malformed: list[tuple[int, str]] = []
    malformed_count = rows = line_no = pending = 0
    source = LineSource(path, member="top-1m.csv")
    try:
        for raw in source.lines():
            line_no += 1
            pending += len(raw)
            if pending >= 1 << 20 and progress:
                progress(pending, source.size)
                pending = 0
            rank_text, comma, domain = raw.partition(b",")
            domain = domain.strip().lower()
            rank_text = rank_text.strip()
            if not comma or not domain or not rank_text.isdigit() or b"," in domain:
                if not raw.strip() or (line_no == 1 and raw.strip().lower() == b"rank,domain"):
                    continue  # blank line, or a header someone added
                malformed_count += 1
                if len(malformed) < MALFORMED_SHOWN:
                    malformed.append((line_no, raw.decode("utf-8", "replace").strip()[:100]))
                continue
            rows += 1
            if domain in wanted:
                rank = int(rank_text)
                if rank >= 1 and (domain not in found or rank < found[domain]):
                    found[domain] = rank
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise ImportFileError(f"Reading {path.name} failed at line {line_no + 1}: {exc}") from exc
    finally:
        source.close()
    if progress and pending:
        progress(pending, source.size)
    return found, rows, malformed_count, malformed


def best_rank(domains: list[str], found: dict[bytes, int]) -> tuple[int, str] | None:
    """(rank, ranked domain) of the best of an outlet's domains: each matches exactly, or else through
    its registrable parent (news.kabar.co.id through kabar.co.id); None when none is in the list."""
    best = None
    for domain in domains:
        rank = found.get(domain.encode("ascii", "ignore"))
        hit = (rank, domain) if rank is not None else None
        if hit is None:
            parent = registrable_domain(domain)
            rank = found.get(parent.encode("ascii", "ignore")) if parent != domain else None
            hit = (rank, parent) if rank is not None else None
        if hit and (best is None or hit < best):
            best = hit
    return best


def import_web_rank(path: str | Path, *, list_id: str | None = None, list_date: datetime.date | None = None,
                    source: str = "tranco", progress: Progress | None = None) -> WebRankResult:
    """Import a Tranco-format list: each outlet with a domain gets one OutletWebRank in this list, its
    best rank across its domains (a domain matches exactly or through its registrable parent; an
    exact match counts before the parent's), or no rank. Re-importing a list id replaces its rows."""
    path = Path(path)
    list_id = (list_id or default_list_id(path))[:50]
    list_date = list_date or timezone.localdate()

    domains_of: dict[int, list[str]] = defaultdict(list)
    for outlet_id, domain in OutletDomain.objects.order_by().values_list("outlet_id", "domain").iterator(5000):
        domains_of[outlet_id].append(domain)
    wanted: set[bytes] = set()
    for domains in domains_of.values():
        for domain in domains:
            wanted.add(domain.encode("ascii", "ignore"))
            wanted.add(registrable_domain(domain).encode("ascii", "ignore"))

    found, rows_read, malformed_count, malformed = scan_rank_file(path, wanted, progress)

    bests = [(outlet_id, best_rank(domains, found)) for outlet_id, domains in domains_of.items()]
    ranked = sum(best is not None for _outlet_id, best in bests)

    with audit_context(actor=WEB_RANK_ACTOR), transaction.atomic():
        rank_list = WebRankList.objects.select_for_update().filter(source=source, list_id=list_id).first()
        replaced = rank_list is not None
        if replaced:
            rank_list.ranks.all().delete()
            rank_list.imported_at = timezone.now()
        else:
            rank_list = WebRankList(source=source, list_id=list_id)
        rank_list.list_date, rank_list.rows_read, rank_list.outlets_ranked = list_date, rows_read, ranked
        rank_list.save()
        for start in range(0, len(bests), RANK_BATCH_SIZE):
            OutletWebRank.objects.bulk_create([
                OutletWebRank(rank_list=rank_list, outlet_id=outlet_id, rank=best[0] if best else None,
                              domain=best[1] if best else "")
                for outlet_id, best in bests[start:start + RANK_BATCH_SIZE]
            ])

    summary = None
    policy = EligibilityPolicy.load()
    if policy.web_rank_rule_enabled:
        online = MediaOutlet.objects.filter(media_type=MediaType.ONLINE).values_list("pk", flat=True)
        summary = recheck_outlets(list(online), trigger=Trigger.IMPORT, actor=WEB_RANK_ACTOR, policy=policy)
    return WebRankResult(rank_list=rank_list, rows_read=rows_read, outlets=len(domains_of), ranked=ranked,
                         malformed_count=malformed_count, malformed=malformed, replaced=replaced, recheck=summary)
