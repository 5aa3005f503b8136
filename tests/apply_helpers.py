"""What the tests of the public application form share: valid form data and files, readers of the
rendered page (fields, errors beside them, the error summary) and of what was stored."""

from __future__ import annotations

import html as html_module
import re
from html.parser import HTMLParser

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from catalog.forms import issue_submission_key
from catalog.models import (
    Application,
    Listing,
)
from partners.demo.files import pdf_bytes
from partners.models import (
    Document,
    KbliCode,
    MediaOutlet,
    OutletDomain,
    PressCompany,
    Province,
)

APPLY = "/apply/"
QUEUE = reverse("admin:catalog_application_changelist")
NPWP = "01.312.166.0-091.000"  # a valid legacy NPWP (Luhn check digit in ninth place)
NPWP16 = "0013121660091000"


# --- fixtures and helpers --------------------------------------------------------------------------

def form_data(**changes) -> dict:
    """Everything an online outlet types into the form; a change of None leaves the field out."""
    today = timezone.localdate()
    data = {
        "legal_name": "PT Kabar Betawi Media", "legal_form": "pt", "npwp": NPWP, "nib": "9120001234567",
        "address": "Jl. Kramat Raya No. 5", "province": Province.objects.get(code="31").pk,
        "regency_city": "Jakarta Pusat", "company_email": "sekretariat@kabarbetawi.id",
        "company_phone": "(021) 390 1234", "kbli_codes": [KbliCode.objects.get(code="63122").pk],
        "outlet_name": "Kabar Betawi", "media_type": "online", "website": "https://www.KabarBetawi.id/berita",
        "person_in_charge": "Siti Rahmawati", "editor_in_chief": "Budi Santoso", "editor_competency": "utama",
        "editor_certificate_no": "1234-PWI/WU/DP/III/2021", "outlet_email": "redaksi@kabarbetawi.id",
        "outlet_phone": "0812 3456 7890", "tax_year": today.year - 1, "kswp_date": today.isoformat(),
        "declaration": "on", "submission_key": issue_submission_key(),
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


REQUIRED_KINDS = ["deed", "law_ministry_approval", "nib", "npwp_card", "annual_tax_return", "editorial_box"]


def pdf(name: str, title: str = "Dokumen") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(title, ["Uji MediaReg"]), content_type="application/pdf")


def form_files(**changes) -> dict:
    """A real small PDF for every required document and the KSWP; a change of None leaves the file out."""
    files = {f"doc_{kind}": pdf(f"{kind}.pdf", kind) for kind in [*REQUIRED_KINDS, "kswp"]}
    files.update({f"doc_{kind}": upload for kind, upload in changes.items()})
    return {name: upload for name, upload in files.items() if upload is not None}


def stored_rows() -> dict:
    return {model.__name__: model.objects.count()
            for model in (PressCompany, MediaOutlet, OutletDomain, Document, Application, Listing)}


def stored_files(folder) -> list:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


class FieldBlocks(HTMLParser):
    """Each ``<div class="field">`` or ``<fieldset class="field">`` of a page (templates/includes/field.html):
    the values of its controls as the browser would send them, its error text and the ids its labels point at."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, dict] = {}
        self._depth = 0  # open divs inside the current field block
        self._block = None
        self._in_error = self._in_textarea = self._in_option = False
        self._select = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("div", "fieldset"):
            if self._block is None and "field" in (attrs.get("class") or "").split():
                self._block = {"names": [], "values": [], "error": "", "label_for": [], "ids": []}
                self._depth = 0
            elif self._block is not None:
                self._depth += 1
        if self._block is None:
            return
        if tag == "label" and attrs.get("for"):
            self._block["label_for"].append(attrs["for"])
        if tag == "p" and "error" in (attrs.get("class") or "").split():
            self._in_error = True
        if tag in ("input", "select", "textarea") and attrs.get("name"):
            self._block["names"].append(attrs["name"])
            self._block["ids"].append(attrs.get("id"))
            self.fields.setdefault(attrs["name"], self._block)
            if tag == "input" and attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._block["values"].append(attrs.get("value", "on"))
            elif tag == "input" and attrs.get("type") != "file":
                self._block["values"].append(attrs.get("value") or "")
            elif tag == "textarea":
                self._in_textarea = True
                self._block["values"].append("")
            elif tag == "select":
                self._select = self._block
        if tag == "option" and self._select is not None and "selected" in attrs:
            self._select["values"].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_error = False
        if tag == "textarea":
            self._in_textarea = False
        if tag == "select":
            self._select = None
        if tag in ("div", "fieldset") and self._block is not None:
            if self._depth == 0:
                self._block = None
            else:
                self._depth -= 1

    def handle_data(self, data):
        if self._block is None:
            return
        if self._in_error:
            self._block["error"] += data
        if self._in_textarea:
            self._block["values"][-1] += data.lstrip("\n")


def fields_of(response) -> dict[str, dict]:
    return FieldBlocks(response.content.decode()).fields


def error_beside(response, name: str) -> str:
    return " ".join(fields_of(response)[name]["error"].split())


def text_of(response_or_html) -> str:
    """What a person reads: the text without tags, entities resolved, white space collapsed."""
    html = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def summary_of(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert match, "no error summary on the page"
    return text_of(match.group(0))



def assert_refused_and_nothing_stored(response, folder, before=None):
    assert response.status_code == 400, response.status_code
    assert stored_rows() == (before or {name: 0 for name in stored_rows()})
    assert stored_files(folder) == []
