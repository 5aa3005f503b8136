"""Writing the registry's demo plan (partners.demo.plan) where it is missing: companies by NPWP, outlets
by (company, name), domains by domain, one verification per outlet, documents by (company, outlet,
kind, number). What exists is left untouched, so a second run adds nothing. Every row is written
through partners.services.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import CommandError

from .. import services
from ..identifiers import normalize_company_npwp
from ..models import (
    Document,
    DocumentKind,
    KbliCode,
    MediaOutlet,
    PressCompany,
    PressVerification,
    Province,
    ReviewStatus,
)
from .files import pdf_bytes, png_bytes
from .plan import CompanySpec, DocumentSpec, OutletSpec
from .tables import DOCUMENT_TITLES, JAKARTA_PROVINCE_CODE, PRESS_KBLI


def check_npwps(plan: list[CompanySpec]) -> None:
    """Every demo company's NPWP is a valid entity NPWP, by the rule every form applies."""
    for spec in plan:
        try:
            valid = normalize_company_npwp(spec.npwp) == spec.npwp
        except ValidationError:
            valid = False
        if not valid:
            raise CommandError(f"Demo NPWP {spec.npwp} of {spec.legal_name} is not a valid entity NPWP.")


class Seeder:
    """Writes the plan through partners.services, as every interface writes the registry: the same
    checks, and the caller's registry edit (mediareg.demo) names the job in the audit trail."""

    def __init__(self, reviewer):
        self.reviewer = reviewer
        self.companies: dict[str, PressCompany] = {}  # by NPWP
        self.outlets: dict[tuple[int, str], MediaOutlet] = {}  # by (company id, lower-case name)
        self.verifications: dict[int, PressVerification] = {}  # by outlet id
        self.created = {"companies": 0, "outlets": 0, "domains": 0, "verifications": 0, "documents": 0}
        self.new_documents: list[Document] = []

    def apply(self, plan: list[CompanySpec]) -> None:
        province = Province.objects.filter(code=JAKARTA_PROVINCE_CODE).first()
        kbli = KbliCode.objects.in_bulk(field_name="code")
        if province is None or not set(PRESS_KBLI.values()) <= set(kbli):
            raise CommandError("Reference data (province 31, press KBLI codes) is missing: "
                               "run `manage.py migrate` first.")
        self.add_companies(plan, province, kbli)
        self.add_outlets(plan)
        self.add_verifications(plan)
        self.add_documents(plan)

    def outlet(self, company_spec: CompanySpec, outlet_spec: OutletSpec) -> MediaOutlet:
        return self.outlets[(self.companies[company_spec.npwp].pk, outlet_spec.name.lower())]

    def each_outlet(self, plan):
        for company_spec in plan:
            for outlet_spec in company_spec.outlets:
                yield outlet_spec, self.outlet(company_spec, outlet_spec)

    def add_companies(self, plan, province, kbli) -> None:
        for spec in plan:
            company, created = services.company_register(
                npwp=spec.npwp, province=province, kbli_codes=[kbli[code] for code in spec.kbli], **spec.fields)
            self.companies[spec.npwp] = company
            self.created["companies"] += created

    def add_outlets(self, plan) -> None:
        """Each outlet by (company, name), and its domains, the first one primary."""
        for spec in plan:
            company = self.companies[spec.npwp]
            for outlet_spec in spec.outlets:
                outlet, created = services.outlet_register(company=company, name=outlet_spec.name,
                                                           **outlet_spec.fields)
                self.outlets[(company.pk, outlet.name.lower())] = outlet
                self.created["outlets"] += created
                for domain in outlet_spec.domains:
                    _row, added = services.outlet_domain_add(outlet, domain)
                    self.created["domains"] += added

    def add_verifications(self, plan) -> None:
        self.verifications = {v.outlet_id: v for v in
                              PressVerification.objects.filter(outlet__in=list(self.outlets.values()))}
        for spec, outlet in self.each_outlet(plan):
            if outlet.pk not in self.verifications:
                self.verifications[outlet.pk] = services.verification_save(
                    PressVerification(outlet=outlet, **spec.verification))
                self.created["verifications"] += 1

    def add_documents(self, plan) -> None:
        existing = set(Document.objects.filter(company__in=list(self.companies.values()))
                       .values_list("company_id", "outlet_id", "kind", "number"))
        new = []
        for spec in plan:
            company = self.companies[spec.npwp]
            owners = [(None, spec.legal_name, spec.documents)]
            owners += [(self.outlet(spec, o), o.name, o.documents) for o in spec.outlets]
            for outlet, owner_name, documents in owners:
                for doc in documents:
                    if doc.kind == DocumentKind.PRESS_COUNCIL_CERTIFICATE:
                        doc = self.certificate_as_stored(outlet, doc)
                        if doc is None:
                            continue
                    key = (company.pk, outlet.pk if outlet else None, doc.kind, doc.number)
                    if key not in existing:
                        existing.add(key)
                        new.append(self.document(company, outlet, owner_name, doc))
        # Kept before the insert: a later failure of the run removes the files written (discard_new_files).
        self.new_documents = new
        services.documents_add(new)  # one INSERT per 200 rows, each file checked and stored under a random name
        self.created["documents"] += len(new)

    def certificate_as_stored(self, outlet, doc: DocumentSpec) -> DocumentSpec | None:
        """The certificate document shows what the outlet's verification record says."""
        verification = self.verifications[outlet.pk]
        if not verification.certificate_number:
            return None
        return dataclasses.replace(doc, number=verification.certificate_number,
                                   issue_date=verification.certificate_date, expiry_date=verification.valid_until)

    def document(self, company, outlet, owner_name, spec: DocumentSpec) -> Document:
        title, stem = DOCUMENT_TITLES[spec.kind]
        if spec.image:
            data, filename = png_bytes(), f"{stem}.png"
        else:
            lines = [owner_name, f"Nomor: {spec.number or '-'}", f"Tanggal: {spec.issue_date:%d-%m-%Y}"]
            if spec.expiry_date:
                lines.append(f"Berlaku sampai: {spec.expiry_date:%d-%m-%Y}")
            if spec.tax_year:
                lines.append(f"Tahun pajak: {spec.tax_year}")
            lines.append("DOKUMEN CONTOH (DEMO) - bukan dokumen asli")
            data = pdf_bytes(title, lines)
            filename = f"{stem}-{spec.tax_year or spec.issue_date.year}.pdf"
        decided = spec.review_status != ReviewStatus.PENDING
        return Document(
            company=company, outlet=outlet, kind=spec.kind, number=spec.number, issue_date=spec.issue_date,
            expiry_date=spec.expiry_date, tax_year=spec.tax_year, file=ContentFile(data, name=filename),
            review_status=spec.review_status, reviewed_at=spec.reviewed_at,
            reviewed_by=self.reviewer if decided else None, rejection_reason=spec.rejection_reason,
        )

    def discard_new_files(self) -> None:
        """After a failed run the rows are rolled back; remove the files they had already written."""
        services.discard_files(self.new_documents)
