"""The public application form (/apply/) and the renewal upload form.

Plain Django forms: they validate and normalise what the applicant typed, using the same helpers as
the admin (partners.identifiers, partners.uploads); catalog.applications does the writing.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.identifiers import normalize_company_npwp, normalize_domain, normalize_nib
from partners.models import CompetencyLevel, DocumentKind, KbliCode, LegalForm, MediaType, Province
from partners.uploads import check_document_file

ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class DocumentField(forms.FileField):
    """A document upload, checked by content (PDF, JPEG, PNG) and size."""

    widget = forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES})

    def __init__(self, kind: str, *args, **kwargs):
        self.kind = kind
        kwargs.setdefault("label", DocumentKind(kind).label)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            upload.checked = check_document_file(upload)
        return upload


# Which documents an application carries (docs/domain.md: legal form, tax status, how regional offices run
# it): the company's legal and tax papers, and the outlet's masthead. Tax status: a KSWP result or an
# SKF (at least one of the two).
REQUIRED_DOCUMENTS = [
    DocumentKind.DEED, DocumentKind.LAW_MINISTRY_APPROVAL, DocumentKind.NIB, DocumentKind.NPWP_CARD,
    DocumentKind.ANNUAL_TAX_RETURN, DocumentKind.EDITORIAL_BOX,
]
OPTIONAL_DOCUMENTS = [
    DocumentKind.KSWP, DocumentKind.SKF, DocumentKind.PRESS_COUNCIL_CERTIFICATE, DocumentKind.RATE_CARD,
    DocumentKind.COMPETENCY_CERTIFICATE,
]
DOCUMENT_FIELDS = {f"doc_{kind}": kind for kind in REQUIRED_DOCUMENTS + OPTIONAL_DOCUMENTS}

# The submission key is issued by the server, signed for this form only: a client cannot choose one
# (and so reach another application's status page through the double-submit check), and a token
# signed for another purpose (a renewal link) is refused.
SUBMISSION_KEY_SALT = "mediareg.catalog.application-form.submission-key"


def issue_submission_key() -> str:
    """A new one-time key for the application form, signed."""
    return signing.dumps(uuid.uuid4().hex, salt=SUBMISSION_KEY_SALT)


def read_submission_key(signed: str) -> str:
    """The key inside a signed submission key; raises signing.BadSignature when it is not one of ours."""
    key = signing.loads(signed, salt=SUBMISSION_KEY_SALT)
    if not isinstance(key, str) or not 0 < len(key) <= 64:
        raise signing.BadSignature("not a submission key")
    return key


APPLICATION_LEGAL_FORMS = [(form.value, form.label) for form in (LegalForm.PT, LegalForm.YAYASAN, LegalForm.KOPERASI)]


class ApplicationForm(forms.Form):
    # --- company
    legal_name = forms.CharField(label=_("Company's legal name"), max_length=200,
                                 help_text=_("As in the deed, e.g. PT Kabar Betawi Media."))
    legal_form = forms.ChoiceField(label=_("Legal form"), choices=APPLICATION_LEGAL_FORMS,
                                   help_text=_("Dewan Pers accepts a PT, yayasan or koperasi; not a PT perorangan."))
    npwp = forms.CharField(label=_("Company NPWP"), max_length=30,
                           help_text=_("15 digits (01.312.166.0-091.000) or 16 digits."))
    nib = forms.CharField(label=_("NIB"), max_length=20, help_text=_("Business ID from OSS, 13 digits."))
    address = forms.CharField(label=_("Office address"), widget=forms.Textarea(attrs={"rows": 3}))
    province = forms.ModelChoiceField(label=_("Province"), queryset=Province.objects.all())
    regency_city = forms.CharField(label=_("Regency/city"), max_length=100)
    company_email = forms.EmailField(label=_("Company e-mail"), max_length=254)
    company_phone = forms.CharField(label=_("Company phone"), max_length=30)
    kbli_codes = forms.ModelMultipleChoiceField(
        label=_("KBLI business codes in the NIB"), queryset=KbliCode.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick every code your NIB lists; a press code (print, web portal, news agency, TV or radio) is "
                    "required."))
    # --- outlet
    outlet_name = forms.CharField(label=_("Outlet name"), max_length=200)
    media_type = forms.ChoiceField(label=_("Media type"), choices=MediaType.choices)
    website = forms.CharField(label=_("Website"), max_length=300, required=False,
                              help_text=_("Required for online media, e.g. https://kabarbetawi.id"))
    person_in_charge = forms.CharField(label=_("Person in charge (penanggung jawab)"), max_length=200)
    editor_in_chief = forms.CharField(label=_("Editor-in-chief"), max_length=200)
    editor_competency = forms.ChoiceField(label=_("Editor-in-chief's competency level (UKW)"),
                                          choices=CompetencyLevel.choices, required=False)
    editor_certificate_no = forms.CharField(label=_("Editor-in-chief's competency certificate number"),
                                            max_length=100, required=False)
    outlet_email = forms.EmailField(label=_("Newsroom e-mail"), max_length=254,
                                    help_text=_("The tracking code and the review results are sent here."))
    outlet_phone = forms.CharField(label=_("Newsroom phone"), max_length=30, required=False)
    # --- documents: the dates the eligibility rules need
    tax_year = forms.IntegerField(label=_("Tax year of the annual tax return"), min_value=2000)
    kswp_date = forms.DateField(label=_("Date of the KSWP result"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    skf_date = forms.DateField(label=_("Issue date of the SKF"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("An SKF is valid for one month from this date."))
    certificate_number = forms.CharField(label=_("Dewan Pers certificate number"), max_length=100, required=False,
                                         help_text=_("For example 975/DP-Verifikasi/K/IV/2022."))
    certificate_date = forms.DateField(label=_("Dewan Pers certificate signing date"), required=False,
                                       widget=forms.DateInput(attrs={"type": "date"}))
    # --- declaration and the trap for robots (hidden from people; see templates/apply/form.html)
    declaration = forms.BooleanField(
        label=_("I declare that the data and documents above are true and that I may submit them for the company."))
    fax = forms.CharField(required=False, label=_("Leave this field empty"))
    # Checked in clean(): a missing or made-up key is one message above the form (catalog.forms top).
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, kind in DOCUMENT_FIELDS.items():
            self.fields[name] = DocumentField(kind, required=kind in REQUIRED_DOCUMENTS)
        self.fields["tax_year"].initial = timezone.localdate().year - 1

    # --- field groups, for the template
    COMPANY_FIELDS = ["legal_name", "legal_form", "npwp", "nib", "kbli_codes", "address", "province",
                      "regency_city", "company_email", "company_phone"]
    OUTLET_FIELDS = ["outlet_name", "media_type", "website", "person_in_charge", "editor_in_chief",
                     "editor_competency", "editor_certificate_no", "outlet_email", "outlet_phone"]

    def company_fields(self):
        return [self[name] for name in self.COMPANY_FIELDS]

    def outlet_fields(self):
        return [self[name] for name in self.OUTLET_FIELDS]

    # Each document field, followed by the dates that belong to it.
    DOCUMENT_DETAILS = {
        f"doc_{DocumentKind.ANNUAL_TAX_RETURN}": ["tax_year"],
        f"doc_{DocumentKind.KSWP}": ["kswp_date"],
        f"doc_{DocumentKind.SKF}": ["skf_date"],
        f"doc_{DocumentKind.PRESS_COUNCIL_CERTIFICATE}": ["certificate_number", "certificate_date"],
    }

    def document_fields(self):
        return [self[name] for field in DOCUMENT_FIELDS for name in [field, *self.DOCUMENT_DETAILS.get(field, [])]]

    # --- validation
    def clean_npwp(self):
        return normalize_company_npwp(self.cleaned_data["npwp"])

    def clean_nib(self):
        return normalize_nib(self.cleaned_data["nib"])

    def clean_website(self):
        website = self.cleaned_data.get("website", "").strip()
        return normalize_domain(website) if website else ""

    def clean_tax_year(self):
        year = self.cleaned_data["tax_year"]
        if year >= timezone.localdate().year:
            raise ValidationError(_("An annual tax return is for a past year."))
        return year

    def clean(self):
        data = super().clean()
        if "submission_key" not in self.errors:
            self._check_submission_key(data)
        if data.get("media_type") == MediaType.ONLINE and not data.get("website") and "website" not in self.errors:
            self.add_error("website", _("Online media must give their website."))
        if data.get("editor_competency") and not data.get("editor_certificate_no"):
            self.add_error("editor_certificate_no", _("Enter the certificate number of the competency level."))
        if not data.get(f"doc_{DocumentKind.KSWP}") and not data.get(f"doc_{DocumentKind.SKF}") \
                and f"doc_{DocumentKind.KSWP}" not in self.errors and f"doc_{DocumentKind.SKF}" not in self.errors:
            self.add_error(f"doc_{DocumentKind.KSWP}", _("Attach a tax status confirmation (KSWP) or a tax "
                                                          "clearance letter (SKF)."))
        today = timezone.localdate()
        for document, detail in ((DocumentKind.KSWP, "kswp_date"), (DocumentKind.SKF, "skf_date"),
                                 (DocumentKind.PRESS_COUNCIL_CERTIFICATE, "certificate_date")):
            if data.get(f"doc_{document}") and not data.get(detail) and detail not in self.errors:
                self.add_error(detail, _("Enter the date of this document."))
            if data.get(detail) and data[detail] > today:
                self.add_error(detail, _("The date cannot be in the future."))
        if data.get(f"doc_{DocumentKind.PRESS_COUNCIL_CERTIFICATE}") and not data.get("certificate_number"):
            self.add_error("certificate_number", _("Enter the certificate number."))
        codes = data.get("kbli_codes")
        if codes is not None and not any(code.is_press for code in codes):
            self.add_error("kbli_codes", _("Dewan Pers requires a press business code; tick it if your NIB lists one."))
        total = sum(upload.size for name, upload in data.items() if name in DOCUMENT_FIELDS and upload)
        if total > settings.APPLICATION_MAX_BYTES:
            raise ValidationError(_("Together the files are %(size)s; an application may carry at most %(limit)s."),
                                  params={"size": filesizeformat(total),
                                          "limit": filesizeformat(settings.APPLICATION_MAX_BYTES)})
        return data

    def _check_submission_key(self, data) -> None:
        """Replace the signed key by the key inside it; a forged key is a form error, above the form."""
        try:
            data["submission_key"] = read_submission_key(data.get("submission_key", ""))
        except signing.BadSignature:
            data.pop("submission_key", None)
            # The page shown again carries a fresh key, so that sending it again works.
            self.data = self.data.copy()
            self.data["submission_key"] = issue_submission_key()
            self.add_error(None, ValidationError(
                _("This form could not be verified (its hidden key was changed, or comes from another page). "
                  "Nothing was stored: check the form and send it again."), code="forged_key"))

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("fax"))

    def files_to_choose_again(self) -> list[str]:
        """Browsers never keep a chosen file after a failed submission: name the ones to choose again."""
        return [str(self.fields[name].label) for name in DOCUMENT_FIELDS if self.files.get(name)]

    def documents(self) -> list[tuple[str, object]]:
        return [(kind, self.cleaned_data[name]) for name, kind in DOCUMENT_FIELDS.items()
                if self.cleaned_data.get(name)]


RENEWAL_KINDS = [kind for kind in DocumentKind if kind != DocumentKind.OTHER]


class RenewalForm(forms.Form):
    """One replacement document, uploaded through the signed link in a reminder e-mail."""

    kind = forms.ChoiceField(label=_("Document"), choices=[(k.value, k.label) for k in RENEWAL_KINDS])
    number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issue_date = forms.DateField(label=_("Issue date"), widget=forms.DateInput(attrs={"type": "date"}))
    expiry_date = forms.DateField(label=_("Expiry date"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("If the document has one (SKF, Dewan Pers certificate, licence)."))
    tax_year = forms.IntegerField(label=_("Tax year"), required=False, min_value=2000,
                                  help_text=_("For an annual tax return."))
    file = DocumentField(DocumentKind.OTHER, label=_("File"))

    def clean(self):
        # What every interface checks of a document (dates, expiry, tax year) is the registry's
        # (Document.clean, through partners.services.documents_add); the view shows its refusal beside
        # the fields. Only what a renewal adds is checked here.
        data = super().clean()
        issued = data.get("issue_date")
        if issued and issued > timezone.localdate():
            self.add_error("issue_date", _("The issue date cannot be in the future."))
        return data

    def clean_tax_year(self):
        year = self.cleaned_data["tax_year"]
        if year is not None and year >= timezone.localdate().year:
            raise ValidationError(_("An annual tax return is for a past year."))
        return year

    def files_to_choose_again(self) -> list[str]:
        return [str(self.fields["file"].label)] if self.files.get("file") else []


class ReplacementForm(forms.Form):
    """A document sent from the application's status page (catalog.views.application_status): a
    replacement for a rejected one, or the Dewan Pers certificate the form left out. The kind is the
    page's, never the sender's; the fields are the file and the details that kind needs, with the
    labels and checks of the application form (its dates become the document's through
    catalog.applications, as on the form)."""

    DETAILS = {
        DocumentKind.ANNUAL_TAX_RETURN: ["tax_year"],
        DocumentKind.KSWP: ["kswp_date"],
        DocumentKind.SKF: ["skf_date"],
        DocumentKind.PRESS_COUNCIL_CERTIFICATE: ["certificate_number", "certificate_date"],
    }

    file = DocumentField(DocumentKind.OTHER, label=_("File"))
    tax_year = forms.IntegerField(label=_("Tax year of the annual tax return"), min_value=2000)
    kswp_date = forms.DateField(label=_("Date of the KSWP result"), widget=forms.DateInput(attrs={"type": "date"}))
    skf_date = forms.DateField(label=_("Issue date of the SKF"), widget=forms.DateInput(attrs={"type": "date"}),
                               help_text=_("An SKF is valid for one month from this date."))
    certificate_number = forms.CharField(label=_("Dewan Pers certificate number"), max_length=100,
                                         help_text=_("For example 975/DP-Verifikasi/K/IV/2022."))
    certificate_date = forms.DateField(label=_("Dewan Pers certificate signing date"),
                                       widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, kind: str, *args, replacing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        details = self.DETAILS.get(kind, [])
        for name in [name for name in self.fields if name != "file" and name not in details]:
            del self.fields[name]
        # The document's name in the label: a page with several rejected documents has several of these.
        # (Made per request, in its language.)
        self.fields["file"].label = (_("New file: %(document)s") % {"document": DocumentKind(kind).label}
                                     if replacing else DocumentKind(kind).label)
        if "tax_year" in self.fields:
            self.fields["tax_year"].initial = timezone.localdate().year - 1

    clean_tax_year = ApplicationForm.clean_tax_year  # the same rule: a return is for a past year

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        for name in ("kswp_date", "skf_date", "certificate_date"):
            if data.get(name) and data[name] > today:
                self.add_error(name, _("The date cannot be in the future."))
        return data

    def files_to_choose_again(self) -> list[str]:
        return [str(self.fields["file"].label)] if self.files.get(self.add_prefix("file")) else []


class ObjectionForm(forms.Form):
    """An objection to a decision (catalog.objections), from the status page or the renewal page: the
    statement and up to three files, each checked like a document."""

    statement = forms.CharField(label=_("Your statement"), widget=forms.Textarea(attrs={"rows": 6}),
                                max_length=5000,
                                help_text=_("What is wrong with the decision, and why. Staff decide with a reason."))
    file_1 = DocumentField(DocumentKind.OTHER, label=_("Supporting file"), required=False)
    file_2 = DocumentField(DocumentKind.OTHER, label=_("Second file"), required=False)
    file_3 = DocumentField(DocumentKind.OTHER, label=_("Third file"), required=False)

    def uploads(self) -> list:
        return [self.cleaned_data[name] for name in ("file_1", "file_2", "file_3") if self.cleaned_data.get(name)]

    def files_to_choose_again(self) -> list[str]:
        return [str(self.fields[name].label) for name in ("file_1", "file_2", "file_3")
                if self.files.get(self.add_prefix(name))]
